#pragma once
// What a scan produces, whatever it read (files, stdin, git): the findings
// with their final paths and commits, and what was read and skipped. Later
// stages decorate the findings (liveness) and mark them (policy); reporters
// only read the result.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "findings/finding.h"

namespace keysweep {

struct ScanStats {
  std::size_t files_scanned = 0;  // files, or git blobs
  std::size_t bytes_scanned = 0;
  std::size_t skipped_binary = 0;
  std::size_t skipped_too_large = 0;
  std::size_t unreadable = 0;   // unreadable files, or missing/corrupt git objects
  std::size_t left_out = 0;     // files and directories --exclude, --gitignore, allowlists left out
  std::size_t commits = 0;      // git scans: commits walked
  std::size_t submodules = 0;   // git scans: gitlinks skipped
  std::size_t blobs_known = 0;  // audits: blobs whose findings came from the datastore, not read
  // Findings an allowlist or an inline allow set aside, counted as the scan
  // goes and not kept: a file of a million allowlisted keys costs no memory.
  // History counts a blob whose every match is set aside once (no place of it
  // can report anything, so it is not traced to its places).
  std::size_t allowlisted = 0, inline_allowed = 0;
  double seconds = 0;

  void add(const ScanStats& other);
  /// Counts one finding set aside with `mark` (an allowlist or an inline allow).
  void count_set_aside(Suppression mark) {
    ++(mark == Suppression::inline_allow ? inline_allowed : allowlisted);
  }
};

/// The repository a git scan read, for SARIF versionControlProvenance.
struct RepositoryInfo {
  std::string uri;       // the origin remote's URL, else file:// of the repository
  std::string revision;  // HEAD's commit, when there is one
  std::string branch;    // HEAD's branch, when on one
};

struct ScanResult {
  std::string root;               // absolute; paths in findings are relative to it
  std::vector<Finding> findings;  // reported; sorted by path, line, column
  // Findings the policy stage set aside (Finding::suppressed_by), kept for counts.
  std::vector<Finding> suppressed;
  ScanStats stats;
  std::optional<RepositoryInfo> repository;  // git scans only
  // The git work tree's top directory holding the root ("" outside git):
  // baselines and SARIF name paths from there.
  std::string repository_root;
  // Audits: the repositories that could not be scanned, each with why (also
  // warnings). The others are reported and stored; the run exits 3.
  std::vector<std::string> failed_repositories;
  std::size_t repositories = 0;  // audits: how many this run (this shard) took
};

}  // namespace keysweep
