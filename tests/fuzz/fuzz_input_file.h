#pragma once
// Parsers that take a path (config, baseline, scan reports) read the fuzz
// input from one temporary file per process, rewritten for every input and
// removed at exit.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace keysweep::fuzz {

class InputFile {
 public:
  explicit InputFile(const std::string& name) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "keysweep-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data())) std::abort();
    directory_ = pattern;
    path_ = (directory_ / name).string();
  }
  ~InputFile() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Replaces the file's content; returns its path.
  const std::string& write(std::string_view content) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(content.data(), std::streamsize(content.size()));
    if (!out.flush()) std::abort();
    return path_;
  }

 private:
  std::filesystem::path directory_;
  std::string path_;
};

}  // namespace keysweep::fuzz
