#pragma once
// Warnings that keep a scan going (an unreadable file, a broken symlink).
// They are printed to stderr as they happen and kept for reports (SARIF
// toolExecutionNotifications, JSON summary). Thread-safe.

#include <mutex>
#include <string>
#include <vector>

namespace keysweep {

class Diagnostics {
 public:
  /// quiet: record but do not print (used by tests and by `rules check`).
  explicit Diagnostics(bool quiet = false) : quiet_(quiet) {}

  void warn(std::string message);
  std::vector<std::string> warnings() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> warnings_;
  bool quiet_;
};

}  // namespace keysweep
