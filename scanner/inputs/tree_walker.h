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
  bool named = false;        // named on the command line, not found in a directory
};

/// Calls `visit` for each file; stops early when it returns false.
void walk_paths(const std::vector<std::string>& paths, const std::string& root,
                Diagnostics& diagnostics, const std::function<bool(FileToScan&&)>& visit);

/// The path relative to root when it lies under root, else the absolute path.
std::string display_path(const std::string& absolute, const std::string& root);

}  // namespace keysweep
