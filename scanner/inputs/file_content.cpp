#include "inputs/file_content.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "inputs/text_decoding.h"

namespace keysweep {
namespace {

/// Closes a descriptor on every path out of a function.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

FileContent::~FileContent() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

FileContent::FileContent(FileContent&& other) noexcept
    : bytes_(std::exchange(other.bytes_, {})),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_size_(std::exchange(other.mapping_size_, 0)) {}

FileContent& FileContent::operator=(FileContent&& other) noexcept {
  if (this != &other) {
    if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
    bytes_ = std::exchange(other.bytes_, {});
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_size_ = std::exchange(other.mapping_size_, 0);
  }
  return *this;
}

ReadOutcome FileReader::read(const std::string& path, std::size_t max_size, FileContent& content,
                             std::string& error) {
  content = FileContent();
  FdGuard guard{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (guard.fd < 0) {
    error = std::strerror(errno);
    return ReadOutcome::error;
  }
  struct stat info;
  if (::fstat(guard.fd, &info) != 0) {
    error = std::strerror(errno);
    return ReadOutcome::error;
  }
  if (!S_ISREG(info.st_mode)) {
    error = "not a regular file";
    return ReadOutcome::error;
  }
  std::size_t size = std::size_t(info.st_size);
  if (size == 0) return ReadOutcome::empty;
  if (size > max_size) return ReadOutcome::too_large;

  if (size > kMapThreshold) {
    void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, guard.fd, 0);
    if (mapping == MAP_FAILED) {
      error = std::strerror(errno);
      return ReadOutcome::error;
    }
    ::madvise(mapping, size, MADV_SEQUENTIAL);
    content.mapping_ = mapping;
    content.mapping_size_ = size;
    content.bytes_ = std::string_view(static_cast<const char*>(mapping), size);
  } else {
    if (buffer_.size() < size) buffer_.resize(size);
    std::size_t filled = 0;
    while (filled < size) {
      ssize_t n = ::read(guard.fd, buffer_.data() + filled, size - filled);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = std::strerror(errno);
        return ReadOutcome::error;
      }
      if (n == 0) break;  // the file shrank while we read it: scan what is there
      filled += std::size_t(n);
    }
    content.bytes_ = std::string_view(buffer_.data(), filled);
  }
  return text_for_scanning(content.bytes_, transcoded_, content.bytes_) ? ReadOutcome::ok
                                                                        : ReadOutcome::binary;
}

}  // namespace keysweep
