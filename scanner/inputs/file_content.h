#pragma once
// The bytes of one file, read the cheapest way: small files into a reusable
// per-thread buffer (one read, no growth), large files memory-mapped (never
// copied). Move-only; unmaps on destruction.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace keysweep {

/// Files up to this size are read(); larger ones are mmap()ed.
constexpr std::size_t kMapThreshold = std::size_t(4) << 20;

class FileContent {
 public:
  FileContent() = default;
  ~FileContent();
  FileContent(FileContent&& other) noexcept;
  FileContent& operator=(FileContent&& other) noexcept;
  FileContent(const FileContent&) = delete;
  FileContent& operator=(const FileContent&) = delete;

  std::string_view bytes() const { return bytes_; }

 private:
  friend class FileReader;
  std::string_view bytes_;
  void* mapping_ = nullptr;
  std::size_t mapping_size_ = 0;
};

enum class ReadOutcome { ok, too_large, binary, empty, error };

/// Reads files for one worker thread. Not thread-safe: one per worker.
class FileReader {
 public:
  /// Reads `path` unless it is larger than max_size or binary; UTF-16/32
  /// text comes back as UTF-8 (text_for_scanning). On error, `error` holds
  /// the reason (strerror text).
  ReadOutcome read(const std::string& path, std::size_t max_size, FileContent& content,
                   std::string& error);

 private:
  std::vector<char> buffer_;
  std::string transcoded_;
};

}  // namespace keysweep
