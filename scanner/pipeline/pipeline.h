#pragma once
// The run of a scan: the stages in order, from an immutable plan.
//   scan (inputs -> matcher -> findings, with repository checks)
//   -> liveness (inventory labels, --verify)
//   -> recurring secrets redacted in every snippet
//   -> policy (baseline, fail-on: marks on each finding)
// The CLI builds the plan and prints the outcome; it decides nothing.

#include <memory>
#include <string>
#include <vector>

#include "findings/scan_result.h"
#include "pipeline/plan.h"
#include "policy/policy.h"
#include "rules/rule.h"
#include "util/error.h"

namespace keysweep {

struct ScanOutcome {
  // The rules the findings point into: the plan's, plus the inventory sweep
  // rule when the inventory has hashes to look for.
  std::unique_ptr<const Ruleset> ruleset;
  ScanResult result;
  std::vector<std::string> warnings;
  PolicyOutcome policy;
};

/// Runs every stage. Throws UsageError for bad input (rules, config, a git
/// range) and RuntimeFailure when the scan cannot complete.
ScanOutcome run_scan_pipeline(const ScanPlan& plan);

/// The run's exit code: an audit's repository that could not be scanned, or a
/// warning under --strict, outranks findings (what was not scanned may hold
/// what was not found); else findings that fail.
ExitCode scan_exit_code(const ScanPlan& plan, const ScanOutcome& outcome);

}  // namespace keysweep
