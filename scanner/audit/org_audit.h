#pragma once
// Audits of many repositories into one datastore: each repository's history
// is scanned with the blobs the datastore already knows (under the same
// rules) left unread, their findings taken from the datastore instead. A
// repository whose refs and rules are unchanged since its last scan is not
// opened beyond its refs. URLs are mirrored with git itself into a cache
// beside the datastore. Shards split the repository list by a stable hash,
// so N workers need no coordinator.

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/datastore.h"
#include "inventory/inventory_store.h"
#include "scan/git_scan.h"

namespace keysweep {

/// One worker's share: 1-based `index` of `count`.
struct Shard {
  unsigned index = 1;
  unsigned count = 1;
};

/// "I/N" (1-based), or "auto/N": the 0-based index from JOB_COMPLETION_INDEX
/// (Kubernetes Indexed Jobs), else KEYSWEEP_SHARD_INDEX (a CI matrix index).
Shard parse_shard(const std::string& text);

/// Whether `repository` (as given) belongs to `shard`: SHA-256 of the name, modulo the count.
bool in_shard(const std::string& repository, const Shard& shard);

/// The repositories of `--repos-from`: one a line; blank lines and # comments skipped.
std::vector<std::string> read_repository_list(const std::string& path);

struct AuditOptions {
  std::string datastore;
  std::vector<std::string> repositories;  // as given: paths or URLs
  std::optional<Shard> shard;
  GitScanOptions git;  // threads, size limit, progress; the repository is set per run
  std::string
      ruleset_extra;  // what else decides findings (the inventory's hashes for the sweep rule)
};

/// What decides a blob's findings: the rules (and their allowlists and
/// contexts), keysweep's version and `extra`. A changed digest rescans.
std::string ruleset_digest(const Ruleset& ruleset, const std::string& extra);

/// Scans every repository of the options (of its shard) into the datastore
/// and returns all their findings, each with its repository. `decorate`
/// labels a repository's findings (inventory) before they are stored.
/// Repositories that cannot be read are named in a RuntimeFailure after the
/// others are stored.
ScanResult run_audit(const Matcher& matcher, const Ruleset& ruleset, const AuditOptions& options,
                     const std::function<void(std::vector<Finding>&)>& decorate,
                     Diagnostics& diagnostics);

/// The name a repository is stored and reported by: as given, less any
/// user:password in a URL (credentials come from git's helpers, never stored).
std::string repository_name(const std::string& given);

/// Findings as reporters take them, from the datastore. Rules no longer in
/// `ruleset` get a stand-in in `missing_rules` (id and key type only).
std::vector<Finding> findings_from_store(const std::vector<StoredFinding>& stored,
                                         const Ruleset& ruleset, std::deque<Rule>& missing_rules);

/// The inventory's key hashes, sorted, as one string: part of the ruleset
/// digest, since the sweep rule finds exactly these.
std::string inventory_hashes(const InventoryStore& store);

}  // namespace keysweep
