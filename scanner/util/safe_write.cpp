#include "util/safe_write.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include "util/error.h"
#include "util/interrupt.h"

namespace keysweep {
namespace {

std::string reason(int error) {
  return std::strerror(error);
}

/// The descriptor /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N
/// name. They are written through that descriptor: resolving them would find
/// whatever stdout is (a pipe, a terminal, a file the shell opened) and a
/// rename there would replace it.
std::optional<int> standard_stream_fd(const std::string& path) {
  if (path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (path.compare(0, prefix.size(), prefix) != 0 || path.size() == prefix.size()) continue;
    std::string digits = path.substr(prefix.size());
    if (digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return std::stoi(digits);
  }
  return std::nullopt;
}

/// Follows `path` through symlinks to the file a write would reach, which
/// may not exist yet (a dangling link names the file to create).
std::string resolve_symlinks(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path current = path;
  for (int hops = 0; hops < 40; ++hops) {
    // /dev/stdout leads to /proc/self/fd/1, a link to something that is no path.
    if (standard_stream_fd(current.string())) return current.string();
    struct stat status {};
    if (::lstat(current.c_str(), &status) != 0 || !S_ISLNK(status.st_mode)) return current.string();
    std::error_code error;
    fs::path target = fs::read_symlink(current, error);
    if (error)
      throw UsageError(path + ": cannot read the symlink " + current.string() + ": " +
                       error.message());
    current = target.is_absolute() ? target : current.parent_path() / target;
  }
  throw UsageError(path + ": too many levels of symbolic links");
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file keysweep can write";
}

}  // namespace

/// An ostream buffer over a file descriptor that remembers the first failed write.
class SafeWriter::FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const char* data = pbase();
    std::size_t left = std::size_t(pptr() - pbase());
    while (left > 0 && error_ == 0) {
      ssize_t written = ::write(fd_, data, left);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        error_ = written < 0 ? errno : EIO;
        break;
      }
      data += written;
      left -= std::size_t(written);
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }
  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;
};

SafeWriter::SafeWriter(std::string path, FileAccess access)
    : path_(std::move(path)), stream_(std::cout.rdbuf()) {
  if (path_.empty() || path_ == "-") return;
  final_path_ = resolve_symlinks(path_);
  if (std::optional<int> fd = standard_stream_fd(final_path_)) {
    fd_ = ::fcntl(*fd, F_DUPFD_CLOEXEC, 0);
    if (fd_ < 0) throw UsageError(path_ + ": cannot write: " + reason(errno));
  } else {
    struct stat status {};
    if (::stat(final_path_.c_str(), &status) != 0) {
      if (errno != ENOENT) throw UsageError(path_ + ": cannot write: " + reason(errno));
      open_temporary(final_path_, access, nullptr);
    } else if (S_ISREG(status.st_mode)) {
      // Root may write a file without write bits, but a file someone made
      // read-only is not for keysweep to replace.
      if ((status.st_mode & 0222) == 0 || ::access(final_path_.c_str(), W_OK) != 0) {
        throw UsageError(path_ + ": the file is read-only; keysweep does not replace it");
      }
      open_temporary(final_path_, access, &status);
    } else if (S_ISCHR(status.st_mode) || S_ISBLK(status.st_mode) || S_ISFIFO(status.st_mode)) {
      // No O_CREAT, no O_TRUNC: a device or FIFO is used as it is.
      fd_ = ::open(final_path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (fd_ < 0) throw UsageError(path_ + ": cannot write: " + reason(errno));
    } else {
      throw UsageError(path_ + ": cannot write there: it is " + kind_of(status.st_mode));
    }
  }
  buffer_ = std::make_unique<FdBuffer>(fd_);
  stream_.rdbuf(buffer_.get());
}

void SafeWriter::open_temporary(const std::string& final_path, FileAccess access,
                                const struct stat* existing) {
  mode_t create_mode = access == FileAccess::owner_only   ? 0600
                       : access == FileAccess::executable ? 0755
                                                          : 0644;
  // Creating the file and remembering it for the interrupt handler is one
  // step: a SIGINT between the two would leave the file behind.
  sigset_t interrupts, previous;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &interrupts, &previous);
  for (int attempt = 0; fd_ < 0; ++attempt) {
    temporary_ = final_path;
    temporary_.append(".tmp.").append(std::to_string(::getpid()));
    if (attempt > 0) temporary_.append(".").append(std::to_string(attempt));
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, create_mode);
    if (fd_ < 0 && (errno != EEXIST || attempt == 100)) {
      std::string why = reason(errno);
      pthread_sigmask(SIG_SETMASK, &previous, nullptr);
      temporary_.clear();
      std::string directory = std::filesystem::path(final_path).parent_path().string();
      throw UsageError(path_ + ": cannot create a file in " +
                       (directory.empty() ? "." : directory) + ": " + why);
    }
  }
  interrupt_slot_ = remember_temporary_file(temporary_.c_str());
  pthread_sigmask(SIG_SETMASK, &previous,
                  nullptr);  // a pending signal now finds the file remembered
  if (existing) {
    mode_t mode = existing->st_mode & 07777;
    if (access == FileAccess::owner_only) mode &= ~mode_t(077);
    if (access == FileAccess::executable) mode |= S_IXUSR;
    if (::fchmod(fd_, mode) != 0) {
      // The constructor is failing, so no destructor will clean up.
      std::string why = reason(errno);
      ::close(fd_);
      ::unlink(temporary_.c_str());
      forget_temporary_file(interrupt_slot_);
      throw UsageError(path_ + ": cannot keep the file's mode: " + why);
    }
  }
}

SafeWriter::~SafeWriter() {
  stream_.rdbuf(nullptr);
  if (fd_ >= 0) ::close(fd_);
  if (!temporary_.empty()) {
    ::unlink(temporary_.c_str());
    forget_temporary_file(interrupt_slot_);
  }
}

void SafeWriter::commit() {
  stream_.flush();
  if (fd_ < 0) {
    if (!stream_) throw RuntimeFailure("cannot write the report to standard output");
    return;
  }
  int error = buffer_->error();
  if (error == 0 && !temporary_.empty() && ::fsync(fd_) != 0) error = errno;
  if (::close(fd_) != 0 && error == 0) error = errno;
  fd_ = -2;  // closed; not standard output
  if (error != 0) throw RuntimeFailure(path_ + ": cannot write: " + reason(error));
  if (temporary_.empty()) return;
  // rename() is atomic: a reader sees the old file or the new one, never half of one.
  if (::rename(temporary_.c_str(), final_path_.c_str()) != 0) {
    throw RuntimeFailure(path_ + ": cannot move the written file into place: " + reason(errno));
  }
  forget_temporary_file(interrupt_slot_);
  temporary_.clear();
}

void write_file_safely(const std::string& path, std::string_view bytes, FileAccess access) {
  SafeWriter writer(path, access);
  writer.stream().write(bytes.data(), std::streamsize(bytes.size()));
  writer.commit();
}

void create_directories(const std::string& directory, mode_t mode) {
  namespace fs = std::filesystem;
  fs::path wanted(directory);
  std::vector<fs::path> missing;
  for (fs::path each = wanted; !each.empty(); each = each.parent_path()) {
    struct stat status {};
    if (::stat(each.c_str(), &status) == 0) {
      if (!S_ISDIR(status.st_mode)) throw UsageError(each.string() + ": not a directory");
      break;
    }
    missing.push_back(each);
    if (each == each.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), mode) != 0 && errno != EEXIST) {
      throw UsageError(it->string() + ": cannot create directory: " + reason(errno));
    }
  }
}

void create_private_file(const std::string& path, const std::string& what) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) create_directories(parent, 0700);
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) {
    throw UsageError(path + ": cannot create " + what + ": " + std::strerror(errno));
  }
  if (fd >= 0) ::close(fd);
}

}  // namespace keysweep
