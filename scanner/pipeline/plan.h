#pragma once
// What a scan will do, settled before it reads a byte: the high-level
// arguments that cli/ derives from the flags and .keysweep.toml (ripgrep's
// low-args -> high-args split). The pipeline only reads it.

#include <optional>
#include <string>
#include <vector>

#include "audit/org_audit.h"
#include "config/project_config.h"
#include "net/online_verify.h"
#include "policy/policy.h"
#include "scan/git_scan.h"
#include "scan/scan.h"

namespace keysweep {

struct ScanPlan {
  ProjectConfig config;                  // rule files, disabled rules, allowlists
  std::vector<std::string> extra_rules;  // --rules, after the config's rule files
  std::string cache_dir;                 // the rule database cache; "" for none
  ScanOptions tree;                      // a tree scan, when `git` is empty
  std::optional<GitScanOptions> git;
  std::string inventory;                // the store that labels findings; "" for none
  std::optional<VerifyOptions> verify;  // --verify
  Policy policy;
  bool strict = false;                // a warning fails the run (exit 3)
  bool quiet = false;                 // --quiet: warnings are counted, not printed
  std::optional<AuditOptions> audit;  // scan --history --datastore: many repositories
};

}  // namespace keysweep
