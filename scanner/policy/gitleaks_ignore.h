#pragma once
// gitleaks' .gitleaksignore: findings a team has already judged, one
// fingerprint a line: `path:rule-id:line` for files, `commit:path:rule-id:line`
// for history. Paths are relative to the file's directory (the repository's
// top level, else the scan root), as gitleaks writes them. `#` starts a comment.

#include <set>
#include <string>
#include <vector>

#include "findings/finding.h"
#include "util/paths.h"

namespace keysweep {

/// The fingerprints of `<directory>/.gitleaksignore`; empty when there is none.
/// Throws UsageError naming the file when it exists but cannot be read.
std::set<std::string> load_gitleaks_ignore(const std::string& directory);

/// Marks the findings whose fingerprint is listed as held by the baseline
/// (paths rebased from the scan root to the ignore file's directory).
void mark_gitleaks_ignored(const std::set<std::string>& fingerprints,
                           std::vector<Finding>& findings, const PathRebase& to_base);

}  // namespace keysweep
