#include "audit/datastore.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/error.h"
#include "util/safe_write.h"

namespace keysweep {
namespace {

// Empty strings, not NULL, for "none": UNIQUE treats NULLs as distinct, and a
// merge must recognise a row it already has.
constexpr const char* kSchema = R"sql(
CREATE TABLE repositories (
  name TEXT PRIMARY KEY,
  ruleset_digest TEXT NOT NULL,
  scanned_at INTEGER NOT NULL
);
CREATE TABLE refs (
  repository TEXT NOT NULL,
  name TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  PRIMARY KEY (repository, name)
);
CREATE TABLE blobs (
  blob TEXT NOT NULL,
  ruleset_digest TEXT NOT NULL,
  PRIMARY KEY (blob, ruleset_digest)
) WITHOUT ROWID;
CREATE TABLE blob_findings (
  blob TEXT NOT NULL, ruleset_digest TEXT NOT NULL,
  rule_id TEXT NOT NULL, key_type TEXT NOT NULL,
  start_line INTEGER NOT NULL, start_column INTEGER NOT NULL,
  end_line INTEGER NOT NULL, end_column INTEGER NOT NULL,
  secret_sha256 TEXT NOT NULL, secret_redacted TEXT NOT NULL, secret_hint TEXT NOT NULL,
  UNIQUE (blob, ruleset_digest, rule_id, start_line, start_column, secret_sha256)
);
CREATE TABLE findings (
  repository TEXT NOT NULL,
  blob TEXT NOT NULL, path TEXT NOT NULL,
  commit_id TEXT NOT NULL, author TEXT NOT NULL, email TEXT NOT NULL, date TEXT NOT NULL,
  rule_id TEXT NOT NULL, key_type TEXT NOT NULL,
  start_line INTEGER NOT NULL, start_column INTEGER NOT NULL,
  end_line INTEGER NOT NULL, end_column INTEGER NOT NULL,
  secret_sha256 TEXT NOT NULL, secret_redacted TEXT NOT NULL, secret_hint TEXT NOT NULL,
  liveness TEXT NOT NULL,
  UNIQUE (repository, blob, path, commit_id, rule_id, start_line, start_column, secret_sha256)
);
CREATE INDEX findings_by_repository ON findings (repository);
)sql";

// SQLite's application_id of a datastore: 0x4B455953, "KEYS" in ASCII.
constexpr std::int64_t kApplicationId = 0x4B455953;

constexpr const char* kFindingColumns =
    "repository, blob, path, commit_id, author, email, date, rule_id, key_type, start_line, "
    "start_column, end_line, end_column, secret_sha256, secret_redacted, secret_hint, liveness";
constexpr const char* kBlobFindingColumns =
    "blob, ruleset_digest, rule_id, key_type, start_line, start_column, end_line, end_column, "
    "secret_sha256, secret_redacted, secret_hint";

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& path) : path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
      throw RuntimeFailure(path + ": " + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.data(), int(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  bool step() {
    int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) return true;
    if (status == SQLITE_DONE) return false;
    throw RuntimeFailure(path_ + ": " + sqlite3_errmsg(sqlite3_db_handle(statement_)));
  }
  void reset() { sqlite3_reset(statement_); }
  std::string text(int column) const {
    const unsigned char* value = sqlite3_column_text(statement_, column);
    return value ? reinterpret_cast<const char*>(value) : "";
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }

 private:
  sqlite3_stmt* statement_ = nullptr;
  std::string path_;
};

std::optional<Liveness> liveness_from_name(const std::string& name) {
  for (Liveness liveness : {Liveness::live, Liveness::revoked, Liveness::expired, Liveness::invalid,
                            Liveness::unknown}) {
    if (name == liveness_name(liveness)) return liveness;
  }
  return std::nullopt;
}

/// Reads the columns of kFindingColumns (or, from `blob`, of kBlobFindingColumns).
StoredFinding read_finding(const Statement& row, bool placed) {
  StoredFinding finding;
  int column = 0;
  if (placed) finding.repository = row.text(column++);
  finding.blob = row.text(column++);
  if (placed) {
    finding.path = row.text(column++);
    finding.commit = row.text(column++);
    finding.author = row.text(column++);
    finding.email = row.text(column++);
    finding.date = row.text(column++);
  } else {
    ++column;  // ruleset_digest
  }
  finding.rule_id = row.text(column++);
  finding.key_type = row.text(column++);
  finding.start_line = std::uint32_t(row.integer(column++));
  finding.start_column = std::uint32_t(row.integer(column++));
  finding.end_line = std::uint32_t(row.integer(column++));
  finding.end_column = std::uint32_t(row.integer(column++));
  finding.secret_sha256 = row.text(column++);
  finding.secret_redacted = row.text(column++);
  finding.secret_hint = row.text(column++);
  if (placed) finding.liveness = liveness_from_name(row.text(column++));
  return finding;
}

}  // namespace

Datastore::Datastore(std::string path, DatastoreAccess access) : path_(std::move(path)) {
  const bool writing = access == DatastoreAccess::write;
  struct stat status {};
  if (::stat(path_.c_str(), &status) != 0) {
    if (errno != ENOENT || !writing) {
      throw UsageError(path_ + ": cannot open the datastore: " + std::strerror(errno));
    }
    create_private_file(path_, "the datastore");
    status.st_mode = S_IFREG | 0600;
    status.st_size = 0;
  }
  if (!S_ISREG(status.st_mode))
    throw UsageError(path_ + ": not a keysweep datastore (not a regular file)");
  if (status.st_size == 0 && !writing)
    throw UsageError(path_ + ": an empty file, not a keysweep datastore");
  // As for -o: root may write a file without write bits, but a datastore
  // someone made read-only is not for keysweep to change; said before any scan.
  if (writing && ((status.st_mode & 0222) == 0 || ::access(path_.c_str(), W_OK) != 0)) {
    throw UsageError(path_ + ": the datastore is read-only; keysweep does not change it");
  }
  // An empty file given as a new datastore becomes one, private like a created one.
  if (writing && status.st_size == 0 && ::chmod(path_.c_str(), 0600) != 0) {
    throw UsageError(path_ +
                     ": cannot make the datastore private (mode 0600): " + std::strerror(errno));
  }
  int flags = writing ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UsageError(path_ + ": cannot open the datastore: " + reason);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    // An empty file is made a datastore; anything else must already be one.
    if (writing && status.st_size == 0) {
      execute("BEGIN IMMEDIATE");
      execute(kSchema);
      execute("PRAGMA application_id = " + std::to_string(kApplicationId));
      execute("PRAGMA user_version = " + std::to_string(kDatastoreSchemaVersion));
      execute("COMMIT");
    }
    Statement id(db_, "PRAGMA application_id", path_);
    Statement version(db_, "PRAGMA user_version", path_);
    if (!id.step() || id.integer(0) != kApplicationId || !version.step()) {
      throw UsageError(path_ +
                       ": not a keysweep datastore (another file or SQLite database; "
                       "keysweep does not change it)");
    }
    if (version.integer(0) != kDatastoreSchemaVersion) {
      throw UsageError(path_ + ": datastore schema version " + std::to_string(version.integer(0)) +
                       "; this keysweep reads version " + std::to_string(kDatastoreSchemaVersion));
    }
  } catch (const UsageError&) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  } catch (const RuntimeFailure& failure) {
    sqlite3_close(db_);
    db_ = nullptr;
    // SQLITE_NOTADB and friends: bad input, not a keysweep failure.
    throw UsageError(path_ + ": not a keysweep datastore (" + failure.what() + ")");
  }
}

Datastore::~Datastore() {
  sqlite3_close(db_);
}

void Datastore::execute(const std::string& sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string reason = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw RuntimeFailure(path_ + ": " + reason);
  }
}

std::optional<StoredRepository> Datastore::repository(const std::string& name) const {
  Statement row(db_, "SELECT ruleset_digest, scanned_at FROM repositories WHERE name = ?1", path_);
  row.bind(1, name);
  if (!row.step()) return std::nullopt;
  StoredRepository repository{name, row.text(0), row.integer(1), {}};
  Statement refs(db_, "SELECT name, commit_id FROM refs WHERE repository = ?1", path_);
  refs.bind(1, name);
  while (refs.step()) repository.refs[refs.text(0)] = refs.text(1);
  return repository;
}

std::vector<std::string> Datastore::repository_names() const {
  Statement rows(db_, "SELECT name FROM repositories ORDER BY name", path_);
  std::vector<std::string> names;
  while (rows.step()) names.push_back(rows.text(0));
  return names;
}

std::vector<std::string> Datastore::known_blobs(const std::string& ruleset_digest) const {
  Statement rows(db_, "SELECT blob FROM blobs WHERE ruleset_digest = ?1", path_);
  rows.bind(1, ruleset_digest);
  std::vector<std::string> blobs;
  while (rows.step()) blobs.push_back(rows.text(0));
  return blobs;
}

std::vector<StoredFinding> Datastore::blob_findings(const std::string& ruleset_digest) const {
  Statement rows(db_,
                 std::string("SELECT ") + kBlobFindingColumns +
                     " FROM blob_findings WHERE ruleset_digest = ?1",
                 path_);
  rows.bind(1, ruleset_digest);
  std::vector<StoredFinding> findings;
  while (rows.step()) findings.push_back(read_finding(rows, false));
  return findings;
}

std::vector<StoredFinding> Datastore::findings(const std::string& repository) const {
  Statement rows(db_,
                 std::string("SELECT ") + kFindingColumns +
                     " FROM findings WHERE ?1 = '' OR repository = ?1 ORDER BY rowid",
                 path_);
  rows.bind(1, repository);
  std::vector<StoredFinding> findings;
  while (rows.step()) findings.push_back(read_finding(rows, true));
  return findings;
}

void Datastore::store_repository(const StoredRepository& scan,
                                 const std::vector<StoredFinding>& findings,
                                 const std::vector<std::string>& blobs_read,
                                 const std::vector<StoredFinding>& new_blob_findings) {
  execute("BEGIN IMMEDIATE");
  try {
    for (const char* table :
         {"DELETE FROM refs WHERE repository = ?1", "DELETE FROM findings WHERE repository = ?1",
          "DELETE FROM repositories WHERE name = ?1"}) {
      Statement remove(db_, table, path_);
      remove.bind(1, scan.name);
      remove.step();
    }
    Statement repository(db_, "INSERT INTO repositories VALUES (?1, ?2, ?3)", path_);
    repository.bind(1, scan.name);
    repository.bind(2, scan.ruleset_digest);
    repository.bind(3, scan.scanned_at);
    repository.step();
    Statement ref(db_, "INSERT INTO refs VALUES (?1, ?2, ?3)", path_);
    for (const auto& [name, commit] : scan.refs) {
      ref.reset();
      ref.bind(1, scan.name);
      ref.bind(2, name);
      ref.bind(3, commit);
      ref.step();
    }
    Statement blob(db_, "INSERT OR IGNORE INTO blobs VALUES (?1, ?2)", path_);
    for (const std::string& id : blobs_read) {
      blob.reset();
      blob.bind(1, id);
      blob.bind(2, scan.ruleset_digest);
      blob.step();
    }
    auto bind_common = [](Statement& row, int first, const StoredFinding& finding) {
      row.bind(first, finding.rule_id);
      row.bind(first + 1, finding.key_type);
      row.bind(first + 2, std::int64_t(finding.start_line));
      row.bind(first + 3, std::int64_t(finding.start_column));
      row.bind(first + 4, std::int64_t(finding.end_line));
      row.bind(first + 5, std::int64_t(finding.end_column));
      row.bind(first + 6, finding.secret_sha256);
      row.bind(first + 7, finding.secret_redacted);
      row.bind(first + 8, finding.secret_hint);
    };
    Statement blob_finding(db_,
                           std::string("INSERT OR IGNORE INTO blob_findings (") +
                               kBlobFindingColumns +
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           path_);
    for (const StoredFinding& finding : new_blob_findings) {
      blob_finding.reset();
      blob_finding.bind(1, finding.blob);
      blob_finding.bind(2, scan.ruleset_digest);
      bind_common(blob_finding, 3, finding);
      blob_finding.step();
    }
    Statement placed(
        db_,
        std::string("INSERT OR IGNORE INTO findings (") + kFindingColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        path_);
    for (const StoredFinding& finding : findings) {
      placed.reset();
      placed.bind(1, scan.name);
      placed.bind(2, finding.blob);
      placed.bind(3, finding.path);
      placed.bind(4, finding.commit);
      placed.bind(5, finding.author);
      placed.bind(6, finding.email);
      placed.bind(7, finding.date);
      bind_common(placed, 8, finding);
      placed.bind(17, std::string(finding.liveness ? liveness_name(*finding.liveness) : ""));
      placed.step();
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Datastore::merge_from(const std::string& other_path) {
  { Datastore check(other_path, DatastoreAccess::read_only); }  // a clear error for a bad input
  Statement attach(db_, "ATTACH DATABASE ?1 AS other", path_);
  attach.bind(1, other_path);
  attach.step();
  execute("BEGIN IMMEDIATE");
  try {
    execute("INSERT OR IGNORE INTO blobs SELECT blob, ruleset_digest FROM other.blobs");
    execute(std::string("INSERT OR IGNORE INTO blob_findings (") + kBlobFindingColumns +
            ") SELECT " + kBlobFindingColumns + " FROM other.blob_findings");
    // A repository scanned in both keeps its more recent scan, whole.
    execute(
        "CREATE TEMP TABLE newer AS SELECT o.name FROM other.repositories o LEFT JOIN "
        "main.repositories m ON m.name = o.name WHERE m.name IS NULL OR o.scanned_at > "
        "m.scanned_at");
    execute("DELETE FROM main.refs WHERE repository IN (SELECT name FROM temp.newer)");
    execute("DELETE FROM main.findings WHERE repository IN (SELECT name FROM temp.newer)");
    execute("DELETE FROM main.repositories WHERE name IN (SELECT name FROM temp.newer)");
    execute(
        "INSERT INTO main.repositories SELECT name, ruleset_digest, scanned_at FROM "
        "other.repositories WHERE name IN (SELECT name FROM temp.newer)");
    execute(
        "INSERT INTO main.refs SELECT repository, name, commit_id FROM other.refs WHERE "
        "repository IN (SELECT name FROM temp.newer)");
    execute(std::string("INSERT OR IGNORE INTO main.findings (") + kFindingColumns + ") SELECT " +
            kFindingColumns +
            " FROM other.findings WHERE repository IN (SELECT name FROM temp.newer)");
    execute("DROP TABLE temp.newer");
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "DETACH DATABASE other", nullptr, nullptr, nullptr);
    throw;
  }
  execute("DETACH DATABASE other");
}

}  // namespace keysweep
