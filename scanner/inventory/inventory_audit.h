#pragma once
// `keysweep inventory audit`: the inventory checks of rules/lint.toml
// (check = "inventory") over the stored keys, at a given time, with
// thresholds from .keysweep.toml's [audit] table.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "inventory/key_record.h"
#include "rules/rule.h"

namespace keysweep {

struct AuditSettings {
  int unused_days = 90;     // no use for this long: key-unused / key-never-used
  int rotation_days = 90;   // API and application keys older than this: key-rotation-overdue
  int max_token_days = 90;  // PAT/SAT expiring further away than this: access-token-long-lived
  std::string
      name_pattern;  // RE2 a descriptive name must match (empty: only the generic-name list)
};

/// Where a key was found, from scan reports (--findings): a repository (its
/// origin URL, else the scan root) and a service (the top directory).
struct KeySighting {
  std::string secret_sha256;
  std::string repository;
  std::string service;
  std::string inventory_id;  // when the report's inventory label named the key
};

struct AuditFinding {
  const Rule* rule = nullptr;
  std::uint32_t rule_index = 0;
  std::optional<KeyRecord> key;  // none for a shared key the inventory does not know
  std::string owner;             // name or email, when known
  std::string message;
};

/// Reads json scan reports into sightings. Throws UsageError naming a file
/// that is not a keysweep json report.
std::vector<KeySighting> read_sightings(const std::vector<std::string>& report_files);

/// Runs every inventory check present in `ruleset` (disabled ones are not).
/// Revoked and expired keys are not audited: they no longer work.
std::vector<AuditFinding> audit_inventory(const std::vector<KeyRecord>& keys,
                                          const std::vector<UserRecord>& users,
                                          const Ruleset& ruleset, const AuditSettings& settings,
                                          UnixTime now, const std::vector<KeySighting>& sightings);

}  // namespace keysweep
