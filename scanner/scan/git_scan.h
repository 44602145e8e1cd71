#pragma once
// Git scans: all of history, a commit range, or the staged changes. Each
// worker thread has its own repository handle (libgit2 handles are not shared
// across threads). History: workers read contiguous slices of the object
// database in storage order. A range: blobs stream from the range walk through
// a bounded queue. Either way, provenance and per-path rules are settled
// afterwards, only for blobs that had findings.

#include <optional>
#include <string>
#include <vector>

#include "git/git_blobs.h"
#include "git/staged_diff.h"
#include "scan/scan.h"
#include "util/paths.h"

namespace keysweep {

class Diagnostics;
class Matcher;

enum class GitScanMode { history, range, staged };

struct GitScanOptions {
  GitScanMode mode = GitScanMode::history;
  std::string repository;  // a path in the repository; empty: from the environment (GIT_DIR...)
  std::string range;       // GitScanMode::range: "A..B" or "REV" (REV..HEAD)
  // GitScanMode::range: exactly these commits instead of `range` (--commits-from).
  std::optional<std::vector<std::string>> commits;
  // GitScanMode::history limited to what these refs reach (--branch; empty:
  // every ref), less what `since_commit` reaches (--since-commit). Such a
  // history is scanned as the lines its commits add, like a range.
  std::vector<std::string> branches;
  std::string since_commit;
  std::size_t max_file_size = std::size_t(100) << 20;
  unsigned threads = 0;
  bool progress = false;  // a progress line on stderr
  PathRebase rule_paths;  // top-level paths to what rules and allowlists see (ContentScanner)
  // Audits (--datastore), history only: blobs already scanned under the same
  // rules are not read; `known_findings` (with git->blob set) stand for their
  // findings and are placed like the others. Ids of the blobs read go to `blobs_read`.
  const OidSet* known_blobs = nullptr;
  std::vector<Finding> known_findings;
  std::vector<git_oid>* blobs_read = nullptr;
  // History: the repository checks also judge, at each of its places, each
  // blob that had findings and each blob that ever sat at a name a check
  // reads (found in the pass over every tree: a .env or a terraform.tfstate
  // committed years ago and deleted since).
  bool lint_history = false;
  std::string progress_label;   // starts the progress line (audits: which repository of how many)
  std::string repository_name;  // audits: starts each warning about this repository
};

/// Whether the scan walks commits and their added lines (a range, or a
/// history limited by --branch/--since-commit) rather than the whole object
/// database.
inline bool walks_commits(const GitScanOptions& options) {
  return options.mode == GitScanMode::range || !options.branches.empty() ||
         !options.since_commit.empty();
}

/// History and range scans.
ScanResult scan_git(const Matcher& matcher, const GitScanOptions& options,
                    Diagnostics& diagnostics);

/// The staged scan, of what a StagedChangesReader read: the lines each staged
/// file adds, scanned with the whole file as context.
ScanResult scan_staged(const Matcher& matcher, StagedChanges changes, const GitScanOptions& options,
                       Diagnostics& diagnostics);

}  // namespace keysweep
