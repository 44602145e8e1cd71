#pragma once
// Baselines: the findings a team has accepted (old, revoked, or false
// positives), so a scan reports only what is new. An entry is the secret's
// SHA-256 + rule id + path: no line numbers and no timestamps, so a moved line
// is not new while another secret on the same line is; entries are sorted,
// one per line, so baselines from two branches merge cleanly.

#include <ostream>
#include <string>
#include <vector>

#include "findings/finding.h"

namespace keysweep {

struct BaselineEntry {
  std::string path;
  std::string rule_id;
  std::string secret_sha256;
  auto operator<=>(const BaselineEntry&) const = default;
};

BaselineEntry baseline_entry(const Finding& finding);

/// Reads a baseline file. Throws UsageError naming the file and the reason.
std::vector<BaselineEntry> load_baseline(const std::string& path);

/// The baseline of these findings: sorted, unique.
void write_baseline(const std::vector<Finding>& findings, std::ostream& out);

/// Removes the findings the baseline holds; returns the entries that matched
/// no finding (no longer found).
std::vector<BaselineEntry> apply_baseline(const std::vector<BaselineEntry>& baseline,
                                          std::vector<Finding>& findings);

}  // namespace keysweep
