#pragma once
// Baselines: the findings a team has accepted (old, revoked, or false
// positives), so a scan reports only what is new. An entry is the secret's
// SHA-256 + rule id + path: no line numbers and no timestamps, so a moved line
// is not new while another secret on the same line is; entries are sorted,
// one per line, so baselines from two branches merge cleanly. Paths are
// relative to the repository's top level (outside git: the baseline file's
// directory), so a scan of one subdirectory honours the same baseline.

#include <ostream>
#include <string>
#include <vector>

#include "findings/finding.h"
#include "util/paths.h"

namespace keysweep {

struct BaselineEntry {
  std::string path;
  std::string rule_id;
  std::string secret_sha256;
  auto operator<=>(const BaselineEntry&) const = default;
};

/// The entry of a finding; `to_base` turns its path (relative to the scan
/// root) into one relative to the baseline's base directory.
BaselineEntry baseline_entry(const Finding& finding, const PathRebase& to_base);

/// The directory baseline paths are relative to: the repository's top level
/// when there is one, else the baseline file's directory.
std::string baseline_base(const std::string& repository_root, const std::string& baseline_path);

/// Reads a baseline file. Throws UsageError naming the file and the reason.
std::vector<BaselineEntry> load_baseline(const std::string& path);

/// The baseline of these findings: sorted, unique; returns how many entries.
/// Throws UsageError, before the last entry is written, when it would be
/// larger than load_baseline reads (kReportFileLimit).
std::size_t write_baseline(const std::vector<Finding>& findings, const PathRebase& to_base,
                           std::ostream& out);

/// Marks the findings the baseline holds (Suppression::baseline); returns the
/// entries that matched no finding (no longer found). A finding matches by its path from the base,
/// or by its path from the scan root: baselines written before paths were
/// anchored at the base hold those.
std::vector<BaselineEntry> mark_baselined(const std::vector<BaselineEntry>& baseline,
                                          std::vector<Finding>& findings,
                                          const PathRebase& to_base);

}  // namespace keysweep
