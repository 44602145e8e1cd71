#pragma once
// The one way keysweep writes a file a user points at (a report, a baseline,
// the rule database cache), so that writing never damages what is there:
//   - a regular file, or a path that does not exist yet: written beside it
//     and renamed into place only when complete, keeping the file's mode;
//   - a character or block device, a FIFO, /dev/stdout, /dev/stderr or
//     /dev/fd/N: written in place, never renamed over, never unlinked;
//   - a symlink: its target is written, by the rules above;
//   - a directory, a socket, a read-only file (no write bit, even for root)
//     or a directory where no file can be created: a UsageError naming the
//     path, raised when the writer is made, before any work.
// An interrupted run removes its temporary file (see util/interrupt.h).

#include <sys/stat.h>

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace keysweep {

/// Who may read a file keysweep creates: `shared` is 0644 less the umask,
/// `owner_only` is 0600 (reports with secrets in clear, the cache),
/// `executable` is 0755 less the umask (git hooks). An existing file keeps its
/// mode; with owner_only, less group and other access; with executable, plus
/// the owner's execute bit.
enum class FileAccess { shared, owner_only, executable };

class SafeWriter {
 public:
  /// `path` empty or "-": standard output.
  SafeWriter(std::string path, FileAccess access);
  ~SafeWriter();
  SafeWriter(const SafeWriter&) = delete;
  SafeWriter& operator=(const SafeWriter&) = delete;

  std::ostream& stream() { return stream_; }
  bool is_stdout() const { return fd_ == -1; }

  /// Flushes and, for a replaced file, moves it into place. Throws
  /// RuntimeFailure naming the path when a write failed.
  void commit();

 private:
  class FdBuffer;
  void open_temporary(const std::string& final_path, FileAccess access,
                      const struct stat* existing);
  std::string path_;        // as the user named it, for messages
  std::string final_path_;  // the file the temporary replaces (a symlink's target)
  std::string temporary_;   // empty when written in place
  int fd_ = -1;             // -1: std::cout
  int interrupt_slot_ = -1;
  std::unique_ptr<FdBuffer> buffer_;
  std::ostream stream_;
};

/// Writes `bytes` to `path` as SafeWriter does.
void write_file_safely(const std::string& path, std::string_view bytes, FileAccess access);

/// Creates `directory` and its missing parents with `mode` (less the umask).
/// Throws UsageError naming the directory that could not be made.
void create_directories(const std::string& directory, mode_t mode);

/// Creates `path` (and its missing parents, mode 0700) as an empty file with
/// mode 0600 unless it exists, before a database opens it, so it is never
/// readable by others, not even for a moment. Throws UsageError naming the
/// path and `what` it was to be ("the inventory store").
void create_private_file(const std::string& path, const std::string& what);

}  // namespace keysweep
