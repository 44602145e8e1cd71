#pragma once
// .keysweep.toml: a repository's own settings, so a hook, a CI job and an
// audit of the same repository agree. Every key is checked: an unknown key or
// a bad value is a UsageError naming the file, the line and the key.

#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "rules/rule.h"

namespace keysweep {

/// [audit]: thresholds of `inventory audit` (unset: its defaults).
struct AuditConfig {
  std::optional<int> unused_days;
  std::optional<int> rotation_days;
  std::optional<int> max_token_days;
  std::optional<std::string> name_pattern;
};

struct ProjectConfig {
  std::string path;                     // the file read; empty: none
  std::vector<std::string> rule_files;  // resolved against the file's directory
  std::vector<std::string> disabled_rules;
  std::vector<std::string> allow_paths;    // gitignore-style globs
  std::vector<std::string> allow_regexes;  // matched against the secret
  std::vector<std::string> allow_stopwords;
  std::optional<std::string> max_file_size;
  std::optional<FailOn> fail_on;
  std::optional<std::string> baseline;   // resolved against the file's directory
  bool strict = false;                   // any warning fails the scan (exit 3)
  std::optional<std::string> inventory;  // resolved against the file's directory
  bool fail_on_client_tokens = false;    // a client token in browser code fails too
  AuditConfig audit;

  /// The directory the file is in: allowlist globs are anchored there; "" without a file.
  std::string directory() const;
};

inline constexpr const char* kConfigFileName = ".keysweep.toml";

/// The nearest .keysweep.toml from `start` (a file's directory, or a
/// directory) upwards, stopping at the top of its git work tree; "" if none.
std::string find_project_config(const std::string& start);

/// Reads and checks a config file.
ProjectConfig load_project_config(const std::string& path);

/// The config a command reads: `explicit_path` (--config), none with
/// `no_config` (--no-config; both at once is a UsageError), else the nearest
/// .keysweep.toml from `start` (see find_project_config), if any.
ProjectConfig choose_project_config(const std::string& explicit_path, bool no_config,
                                    const std::string& start);

/// The one way a command loads its rules: the built-in rules, the config's
/// rule files, then `extra_rule_paths` (--rules), with the config applied.
Ruleset load_configured_ruleset(const ProjectConfig& config,
                                const std::vector<std::string>& extra_rule_paths = {});

/// Applies a config to a loaded ruleset: drops disabled rules (an unknown id
/// is an error: a typo must not silently re-enable nothing) and adds the
/// allowlists as a global allowlist. The allowlist's path globs match paths
/// relative to the config's directory (ScanOptions::rule_paths gives the
/// matcher those).
void apply_project_config(const ProjectConfig& config, Ruleset& ruleset);

}  // namespace keysweep
