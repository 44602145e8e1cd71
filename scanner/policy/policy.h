#pragma once
// The policy stage: what is reported and what fails the run, decided in one
// place. It marks each finding (Finding::suppressed_by, Finding::fails);
// reporters and the exit code read the marks and decide nothing.
//
// Suppressed: a match an allowlist (the rule's, or .keysweep.toml's) or an
// inline allow comment sets aside, judged where the matched bytes are at
// hand (the matcher marks secret matches during its pass, RawMatch::
// suppressed_by; suppression_at marks a check's hit; at_path marks a git
// blob's match at each of its places), and a finding the baseline holds.
// Marked findings are set aside before liveness (no inventory lookup, no
// online check of what the user set aside) and counted. Failing: a finding's
// liveness under fail_on, except a RUM client token in browser code, which
// fails only when configured.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "findings/scan_result.h"
#include "policy/baseline.h"

namespace keysweep {

/// Which findings fail a scan (exit 1, a failing JUnit test case).
enum class FailOn {
  live,     // only keys known to work
  unknown,  // live keys, and keys nobody could vouch for (no inventory record, no online answer)
  any,      // every finding that is not revoked or expired (the default)
};

std::optional<FailOn> parse_fail_on(std::string_view text);
const char* fail_on_name(FailOn fail_on);

/// Whether a finding with this label (none: never checked) fails under `fail_on`.
bool fails(const std::optional<LivenessLabel>& label, FailOn fail_on);

/// How the match of `rule` at content[offset, offset + length) is suppressed:
/// an inline allow comment on its line, or an allowlist that drops it (path
/// criteria see `rule_path`, commit criteria `commit`, full hex; without
/// them they do not match); none otherwise.
Suppression suppression_at(const Ruleset& ruleset, const Rule& rule, std::string_view content,
                           std::size_t offset, std::size_t length,
                           std::optional<std::string_view> rule_path,
                           std::optional<std::string_view> commit = std::nullopt);

/// A match found before its path was known (a git blob, see
/// ContentScanner::find_unplaced) at `rule_path`: nullopt when its rule's
/// path filter does not match there (the rule does not apply: no finding);
/// else the match, marked `allowlist` when an allowlist with path (or, given
/// the place's commit, commit) criteria sets it aside there.
std::optional<RawMatch> at_path(const Ruleset& ruleset, const RawMatch& match,
                                std::string_view content, std::string_view rule_path,
                                std::optional<std::string_view> commit = std::nullopt);

/// Everything the policy stage needs, settled before the scan (see pipeline/plan.h).
struct Policy {
  FailOn fail_on = FailOn::any;
  bool fail_on_client_tokens = false;   // fail_on_client_tokens in .keysweep.toml
  std::string baseline_path;            // "" for no baseline
  std::vector<BaselineEntry> baseline;  // sorted, as load_baseline returns it
};

/// What the policy stage found, for reports.
struct PolicyOutcome {
  std::size_t allowlisted = 0;     // findings an allowlist set aside
  std::size_t inline_allowed = 0;  // findings an inline allow comment set aside
  std::size_t baselined = 0;       // findings the baseline (or .gitleaksignore) held back
  // Baseline entries that matched no finding, among those inside the scanned root.
  std::vector<BaselineEntry> unused_baseline;
  std::size_t failing = 0;  // reported findings that fail the run
};

/// Counts (stats.allowlisted, stats.inline_allowed) and erases the findings
/// of findings[first...] marked where their bytes were (an allowlist, an
/// inline allow): the scan calls it per file, so that set-aside findings never
/// pile up in memory.
void set_aside_marked(std::vector<Finding>& findings, std::size_t first, ScanStats& stats);

/// The same over a whole result, and what else is marked (the baseline) moved
/// to result.suppressed: the run calls it before liveness, so what the user
/// set aside is never looked up nor verified.
void set_aside_marked(ScanResult& result);

/// Marks every finding of `result`: those the baseline holds are marked, and
/// every marked one (also one an allowlist or an inline allow set aside) is
/// moved to result.suppressed; each reported one is marked `fails` or not.
/// The outcome counts result.suppressed by mark.
PolicyOutcome apply_policy(const Policy& policy, ScanResult& result);

}  // namespace keysweep
