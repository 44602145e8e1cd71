#pragma once
// Turns the scan's PATH arguments into the files to scan: files as given,
// directories recursively (skipping .git), without following directory
// symlinks (no loops). A broken symlink or an unreadable directory is a
// warning and the walk goes on.

#include <functional>
#include <string>
#include <vector>

namespace keysweep {

class Diagnostics;

struct FileToScan {
  std::string open_path;     // what open() gets
  std::string display_path;  // relative to the scan root, forward slashes
  bool named = false;        // given on the command line, not found by the walk
};

/// What a walk leaves out of the trees it walks (never a PATH named on the
/// command line). A directory left out is not read at all.
struct WalkScope {
  /// Stay on the file system of each PATH: mount points below it are not
  /// entered (`scan /` without /proc, /sys or network mounts).
  bool one_file_system = false;
  /// `path` (relative to the root, forward slashes) is left out; `directory`
  /// says whether it is one. Empty: nothing is left out.
  std::function<bool(const std::string& path, bool directory)> excluded;
};

/// Calls `visit` for each file; stops early when it returns false. Returns
/// the number of files and directories the scope left out.
std::size_t walk_paths(const std::vector<std::string>& paths, const std::string& root,
                       const WalkScope& scope, Diagnostics& diagnostics,
                       const std::function<bool(FileToScan&&)>& visit);

/// The path relative to root when it lies under root, else the absolute path.
std::string display_path(const std::string& absolute, const std::string& root);

}  // namespace keysweep
