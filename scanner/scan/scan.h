#pragma once
// Runs a working-tree scan: walks the PATH arguments on one thread, feeds the
// files through a bounded queue to one worker per core, and collects the
// findings. Each worker owns its Hyperscan scratch and read buffer.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "findings/finding.h"
#include "util/paths.h"

namespace keysweep {

class Diagnostics;
class Matcher;

struct ScanOptions {
  std::vector<std::string> paths;  // "-" is standard input
  std::size_t max_file_size = std::size_t(100) << 20;
  unsigned threads = 0;  // 0: one per core
  PathRebase rule_paths;  // finding paths to what rules and allowlists see (ContentScanner)
  // What the walk leaves out of directories (never a PATH named itself):
  std::vector<std::string> excludes;  // --exclude: gitignore-style globs, relative to the root
  bool gitignore = false;             // --gitignore: what git ignores
  bool one_file_system = false;       // --one-file-system: no mount points below a PATH
};

struct ScanStats {
  std::size_t files_scanned = 0;  // files, or git blobs
  std::size_t bytes_scanned = 0;
  std::size_t skipped_binary = 0;
  std::size_t skipped_too_large = 0;
  std::size_t unreadable = 0;  // unreadable files, or missing/corrupt git objects
  std::size_t left_out = 0;    // files and directories --exclude, --gitignore, allowlists left out
  std::size_t commits = 0;     // git scans: commits walked
  std::size_t submodules = 0;  // git scans: gitlinks skipped
  double seconds = 0;

  void add(const ScanStats& other);
};

/// The repository a git scan read, for SARIF versionControlProvenance.
struct RepositoryInfo {
  std::string uri;       // the origin remote's URL, else file:// of the repository
  std::string revision;  // HEAD's commit, when there is one
  std::string branch;    // HEAD's branch, when on one
};

struct ScanResult {
  std::string root;  // absolute; paths in findings are relative to it
  std::vector<Finding> findings;  // sorted by path, line, column
  ScanStats stats;
  std::optional<RepositoryInfo> repository;  // git scans only
  // The git work tree's top directory holding the root ("" outside git):
  // baselines and SARIF name paths from there.
  std::string repository_root;
};

/// A size limit as people write it: "100 MiB", "512 KiB", "1000 bytes".
std::string size_text(std::size_t bytes);

/// The root that finding paths are relative to: the directory when a single
/// directory is scanned, else the current directory.
std::string scan_root(const std::vector<std::string>& paths);

ScanResult scan_paths(const Matcher& matcher, const ScanOptions& options, Diagnostics& diagnostics);

}  // namespace keysweep
