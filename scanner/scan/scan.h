#pragma once
// Runs a working-tree scan: walks the PATH arguments on one thread, feeds the
// files through a bounded queue to one worker per core, and collects the
// findings. Each worker owns its Hyperscan scratch and read buffer.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "findings/scan_result.h"
#include "util/paths.h"

namespace keysweep {

class Diagnostics;
class Matcher;

struct ScanOptions {
  std::vector<std::string> paths;  // "-" is standard input
  std::size_t max_file_size = std::size_t(100) << 20;
  unsigned threads = 0;   // 0: one per core
  PathRebase rule_paths;  // finding paths to what rules and allowlists see (ContentScanner)
  // What the walk leaves out of directories (never a PATH named itself):
  std::vector<std::string> excludes;  // --exclude: gitignore-style globs, relative to the root
  bool gitignore = false;             // --gitignore: what git ignores
  bool one_file_system = false;       // --one-file-system: no mount points below a PATH
};

/// A size limit as people write it: "100 MiB", "512 KiB", "1000 bytes".
std::string size_text(std::size_t bytes);

/// The root that finding paths are relative to: the directory when a single
/// directory is scanned, else the current directory.
std::string scan_root(const std::vector<std::string>& paths);

ScanResult scan_paths(const Matcher& matcher, const ScanOptions& options, Diagnostics& diagnostics);

}  // namespace keysweep
