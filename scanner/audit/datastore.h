#pragma once
// The audit datastore: one SQLite file (mode 0600) that remembers, across
// runs and repositories, which blobs were scanned under which rules, what
// they held, and where in each repository. It keeps secret hashes and the
// redacted form reports print, never a secret's value. Each repository is
// stored in one transaction: an interrupted run keeps every repository it
// finished. Schema: README "Audits".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "findings/liveness.h"

struct sqlite3;

namespace keysweep {

/// README "Audits" documents this version's tables.
constexpr int kDatastoreSchemaVersion = 1;

/// A finding as the datastore holds it: no value, no snippet.
struct StoredFinding {
  std::string repository;  // the URL or path as given; empty in blob_findings
  std::string blob, path, commit, author, email, date;  // path and commit: empty in blob_findings
  std::string rule_id, key_type;
  std::uint32_t start_line = 0, start_column = 0, end_line = 0, end_column = 0;
  std::string secret_sha256;
  std::string secret_redacted;  // what a redacted report prints: a few leading characters and "…"
  // What the inventory matches besides the hash, and Datadog itself shows:
  // an access token's public portion ("ddpat_<alias>"), else the last 4 characters.
  std::string secret_hint;
  std::optional<Liveness> liveness;

  auto operator<=>(const StoredFinding&) const = default;
};

/// A repository's last scan.
struct StoredRepository {
  std::string name;
  std::string ruleset_digest;
  std::int64_t scanned_at = 0;              // nanoseconds since the epoch, UTC
  std::map<std::string, std::string> refs;  // ref name -> commit id
};

enum class DatastoreAccess {
  read_only,  // report, merge inputs
  write,      // scan, merge output: a missing file is created
};

class Datastore {
 public:
  /// Opens (or, for writing, creates) the datastore at `path`. A file that is
  /// not a keysweep datastore is a UsageError naming it; it is never changed.
  Datastore(std::string path, DatastoreAccess access);
  ~Datastore();
  Datastore(const Datastore&) = delete;
  Datastore& operator=(const Datastore&) = delete;

  std::optional<StoredRepository> repository(const std::string& name) const;
  std::vector<std::string> repository_names() const;

  /// Blob ids (hex) scanned under `ruleset_digest`.
  std::vector<std::string> known_blobs(const std::string& ruleset_digest) const;
  /// What those blobs held, by blob (path, commit and repository empty).
  std::vector<StoredFinding> blob_findings(const std::string& ruleset_digest) const;
  /// Placed findings: of one repository, or of all (empty name).
  std::vector<StoredFinding> findings(const std::string& repository) const;

  /// Replaces what the datastore holds of `scan.name` (refs, findings) and
  /// adds the blobs it read with what they held, in one transaction.
  void store_repository(const StoredRepository& scan, const std::vector<StoredFinding>& findings,
                        const std::vector<std::string>& blobs_read,
                        const std::vector<StoredFinding>& new_blob_findings);

  /// Adds another datastore's contents: its blobs, and each repository it
  /// scanned more recently than this one did. Merging the same one twice
  /// changes nothing. One transaction.
  void merge_from(const std::string& other_path);

  const std::string& path() const { return path_; }

 private:
  void execute(const std::string& sql) const;
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace keysweep
