#pragma once
// What every scan worker does with a buffer, whatever it came from (a file,
// stdin, a git blob): match it and turn the matches into findings. One per
// thread; owns its Hyperscan scratch.

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "findings/finding.h"
#include "findings/scan_result.h"
#include "matcher/matcher.h"
#include "util/paths.h"

namespace keysweep {

class Diagnostics;

/// Whether the repository checks (scanner/lint) run: they judge by path, so
/// a history scan, which reads each blob once before its paths are known, does not.
enum class RunChecks { yes, no };

class ContentScanner {
 public:
  /// `rule_paths` turns a finding's path into the path that rules' path
  /// filters and allowlists see: relative to the directory of .keysweep.toml,
  /// so its globs are anchored there whatever directory was scanned.
  ContentScanner(const Matcher& matcher, Diagnostics& diagnostics, PathRebase rule_paths = {},
                 RunChecks checks = RunChecks::yes);

  /// Appends the findings in `bytes`, whose path is `path`, those an
  /// allowlist or an inline allow set aside marked; returns how many. With
  /// `set_aside`, the marked ones are counted there instead, not appended
  /// (set_aside_marked): they never pile up in memory.
  std::size_t scan(std::string_view bytes, const std::string& path, std::vector<Finding>& out,
                   ScanStats* set_aside = nullptr);

  /// The matches in a git blob read before its paths are known: path filters
  /// pass and path criteria drop nothing, so matches of path-dependent rules
  /// are a superset until findings_at settles them at each place.
  void find_unplaced(std::string_view bytes, std::vector<RawMatch>& out);

  /// Appends the findings of `matches` (from find_unplaced on `bytes`) at
  /// one place of the blob: a match that `path` rules out is dropped, one an
  /// allowlist sets aside at `path` is marked, and the checks run at `path`;
  /// `commit` (full hex; empty: none) is the place's, for allowlists that
  /// list commits. Returns how many (set-aside ones too).
  std::size_t findings_at(std::string_view bytes, const std::string& path,
                          std::vector<RawMatch> matches, std::vector<Finding>& out,
                          std::string_view commit = {});

 private:
  /// The path that rules and allowlists see for `path`.
  std::string rule_path_of(const std::string& path) const;
  /// Findings of `matches_` at `path`, then the checks (when they run);
  /// `commit`, a git place's, is for allowlists that list commits.
  std::size_t build(std::string_view bytes, const std::string& path, std::string_view rule_path,
                    std::optional<std::string_view> commit, std::vector<Finding>& out,
                    ScanStats* set_aside);
  /// Runs the repository checks on one file; `secrets` are its reported secret
  /// findings, a span of `out`, which must not grow before the checks are done.
  void run_lint(std::string_view bytes, const std::string& path, std::string_view rule_path,
                std::optional<std::string_view> commit, std::span<const Finding> secrets,
                std::vector<Finding>& out);

  const Matcher& matcher_;
  Diagnostics& diagnostics_;
  PathRebase rule_paths_;
  RunChecks checks_;
  Matcher::ScratchPtr scratch_;
  std::vector<RawMatch> matches_;
  std::unordered_map<std::string, std::uint32_t> lint_rules_;  // repository check id -> rule index
  bool commit_allowlists_ = false;                             // some allowlist lists commits
};

}  // namespace keysweep
