#pragma once
// What `git commit` would add, read from `git diff --cached` itself: the hook
// path must be instant, and git answers this from the index's cache-tree in a
// few milliseconds, where libgit2 first parses the system CA bundle (Debian's
// build) and then reads the whole HEAD tree. The diff is asked with unlimited
// context, so it carries each staged file's whole new content as well as which
// lines are added; renames are detected (-M), so a moved file adds only the
// lines it edits. git honours GIT_DIR and GIT_INDEX_FILE as hooks set them.

#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include "util/subprocess.h"

namespace keysweep {

struct StagedFile {
  std::string path;  // relative to the work tree, forward slashes
  std::string blob;  // the staged blob's id
  std::string content;
  std::vector<std::uint32_t> added_lines;  // 1-based, sorted
};

struct StagedChanges {
  std::string root;  // the work tree's top directory
  std::vector<StagedFile> files;
  std::size_t binary = 0;      // staged binary files (not scanned)
  std::size_t submodules = 0;  // staged submodule commits (not scanned)
};

/// git runs in `repository` (empty: the current directory and git's
/// environment). Started early, it works while keysweep loads its rules.
class StagedChangesReader {
 public:
  explicit StagedChangesReader(const std::string& repository);
  StagedChangesReader(StagedChangesReader&&) = default;

  /// Waits for git. Throws UsageError with git's message outside a repository.
  StagedChanges finish();

 private:
  std::string repository_;
  std::future<ProcessResult> toplevel_, diff_;
};

/// Parses the output of `git diff --cached -M --full-index -U<all>` (exposed for
/// tests). A pure rename has no hunk and so adds no file; a renamed and edited
/// file is read under its new path, with only its edits as added lines.
void parse_staged_diff(const std::string& diff, StagedChanges& changes);

}  // namespace keysweep
