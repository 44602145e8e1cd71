#pragma once
// The policy stage: what is reported and what fails the run, decided in one
// place. It marks each finding (Finding::suppressed_by, Finding::fails);
// reporters and the exit code read the marks and decide nothing.
//
// Suppressed: a match an allowlist (the rule's, or .keysweep.toml's) or an
// inline allow comment drops, judged where the matched bytes are at hand
// (suppression_at; the matcher asks the same of secret matches during its
// pass, so that a span one rule may not report goes to the next rule), and a
// finding the baseline holds. Failing: a finding's liveness under fail_on,
// except a RUM client token in browser code, which fails only when
// configured.

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
/// criteria see `rule_path`; without one they do not match); none otherwise.
Suppression suppression_at(const Ruleset& ruleset, const Rule& rule, std::string_view content,
                           std::size_t offset, std::size_t length,
                           std::optional<std::string_view> rule_path);

/// Whether a match found before its path was known (a git blob, see
/// ContentScanner::find_unplaced) is dropped at `rule_path`: its rule's path
/// filter does not match, or an allowlist with path criteria drops it there.
bool dropped_at_path(const Ruleset& ruleset, const RawMatch& match, std::string_view content,
                     std::string_view rule_path);

/// Everything the policy stage needs, settled before the scan (see pipeline/plan.h).
struct Policy {
  FailOn fail_on = FailOn::any;
  bool fail_on_client_tokens = false;   // fail_on_client_tokens in .keysweep.toml
  std::string baseline_path;            // "" for no baseline
  std::vector<BaselineEntry> baseline;  // sorted, as load_baseline returns it
};

/// What the policy stage found, for reports.
struct PolicyOutcome {
  std::size_t baselined = 0;  // findings the baseline held back
  // Baseline entries that matched no finding, among those inside the scanned root.
  std::vector<BaselineEntry> unused_baseline;
  std::size_t failing = 0;  // reported findings that fail the run
};

/// Marks every finding of `result`: those the baseline holds are marked, and
/// every marked one (also a check's hit that an allowlist or an inline allow
/// suppressed, marked where its bytes were) is moved to result.suppressed;
/// each reported one is marked `fails` or not.
PolicyOutcome apply_policy(const Policy& policy, ScanResult& result);

}  // namespace keysweep
