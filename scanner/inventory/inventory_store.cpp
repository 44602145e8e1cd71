#include "inventory/inventory_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "util/error.h"
#include "util/safe_write.h"

namespace keysweep {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS keys (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT, last4 TEXT, public_portion TEXT,
  key_sha256 TEXT,
  created_at TEXT, modified_at TEXT, last_used_at TEXT, expires_at TEXT,
  category TEXT, remote_config_read_enabled INTEGER,
  scopes TEXT,
  owner_id TEXT,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_at TEXT,
  first_imported TEXT NOT NULL,
  last_imported TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS keys_by_hash ON keys (key_sha256);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  name TEXT, email TEXT, handle TEXT, disabled INTEGER, service_account INTEGER
);
CREATE TABLE IF NOT EXISTS imports (
  at TEXT NOT NULL, family TEXT NOT NULL, listed INTEGER NOT NULL,
  total_count INTEGER, complete INTEGER NOT NULL, revoked INTEGER NOT NULL
);
)sql";

// A record seen again overwrites what it says; what it does not say (a list
// page has no key value, for instance) stays as the store had it.
constexpr const char* kUpsertKey = R"sql(
INSERT INTO keys (kind, id, name, last4, public_portion, key_sha256, created_at, modified_at,
                  last_used_at, expires_at, category, remote_config_read_enabled, scopes, owner_id,
                  revoked, revoked_at, first_imported, last_imported)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 0, NULL, ?15, ?15)
ON CONFLICT (kind, id) DO UPDATE SET
  name = COALESCE(excluded.name, name), last4 = COALESCE(excluded.last4, last4),
  public_portion = COALESCE(excluded.public_portion, public_portion),
  key_sha256 = COALESCE(excluded.key_sha256, key_sha256),
  created_at = COALESCE(excluded.created_at, created_at),
  modified_at = COALESCE(excluded.modified_at, modified_at),
  last_used_at = COALESCE(excluded.last_used_at, last_used_at),
  expires_at = COALESCE(excluded.expires_at, expires_at),
  category = COALESCE(excluded.category, category),
  remote_config_read_enabled = COALESCE(excluded.remote_config_read_enabled, remote_config_read_enabled),
  scopes = COALESCE(excluded.scopes, scopes), owner_id = COALESCE(excluded.owner_id, owner_id),
  revoked = 0, revoked_at = NULL, last_imported = excluded.last_imported
)sql";

constexpr const char* kUpsertUser = R"sql(
INSERT INTO users (id, name, email, handle, disabled, service_account) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (id) DO UPDATE SET
  name = COALESCE(excluded.name, name), email = COALESCE(excluded.email, email),
  handle = COALESCE(excluded.handle, handle), disabled = COALESCE(excluded.disabled, disabled),
  service_account = COALESCE(excluded.service_account, service_account)
)sql";

[[noreturn]] void throw_sqlite_failure(sqlite3* db, int status, const std::string& path) {
  if ((status & 0xff) == SQLITE_BUSY) {
    throw StoreBusy(path + ": the store is busy: another process kept it locked for more than " +
                    std::to_string(kStoreBusyTimeoutMs / 1000) +
                    " s (an import or sync?); try again");
  }
  throw RuntimeFailure(path + ": " + sqlite3_errmsg(db));
}

class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) : path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) {
      throw RuntimeFailure(path + ": " + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds text; an empty string is NULL ("the API did not say").
  void bind(int index, const std::string& text) {
    if (text.empty()) {
      sqlite3_bind_null(statement_, index);
    } else {
      sqlite3_bind_text(statement_, index, text.data(), int(text.size()), SQLITE_TRANSIENT);
    }
  }
  void bind_exact(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.data(), int(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::optional<bool> value) {
    if (value)
      sqlite3_bind_int(statement_, index, *value ? 1 : 0);
    else
      sqlite3_bind_null(statement_, index);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }

  /// Steps once: true while there is a row.
  bool step() {
    int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) return true;
    if (status == SQLITE_DONE) return false;
    throw_sqlite_failure(sqlite3_db_handle(statement_), status, path_);
  }
  void reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  std::string text(int column) const {
    const unsigned char* value = sqlite3_column_text(statement_, column);
    return value ? reinterpret_cast<const char*>(value) : "";
  }
  std::optional<bool> flag(int column) const {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int(statement_, column) != 0;
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
  std::string path_;
};

std::vector<KeyKind> kinds_of(ListingFamily family) {
  switch (family) {
    case ListingFamily::api_keys:
      return {KeyKind::api_key};
    case ListingFamily::application_keys:
      return {KeyKind::application_key};
    case ListingFamily::access_tokens:
      return {KeyKind::personal_access_token, KeyKind::service_access_token};
    case ListingFamily::rum_applications:
      return {KeyKind::rum_client_token};
  }
  return {};
}

}  // namespace

std::string InventoryStore::default_path() {
  if (const char* path = std::getenv("KEYSWEEP_STORE"); path && *path) return path;
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) {
    return std::string(data) + "/keysweep/inventory.db";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.local/share/keysweep/inventory.db";
  }
  throw UsageError("no inventory store: set --store, KEYSWEEP_STORE or HOME");
}

InventoryStore::InventoryStore(std::string path, StoreAccess access) : path_(std::move(path)) {
  const bool importing = access == StoreAccess::import;
  const std::string create_hint = " (create one with `keysweep inventory import` or `sync`)";
  struct stat status {};
  if (::stat(path_.c_str(), &status) != 0) {
    if (errno != ENOENT)
      throw UsageError(path_ + ": cannot open the inventory store: " + std::strerror(errno));
    if (!importing) throw UsageError(path_ + ": no inventory store here" + create_hint);
    create_private_file(path_,
                        "the inventory store");  // SQLite gives its WAL and shm files the same mode
    status.st_mode = S_IFREG;
    status.st_size = 0;
  }
  if (!S_ISREG(status.st_mode))
    throw UsageError(path_ + ": not a keysweep inventory store (not a regular file)");
  if (status.st_size == 0 && !importing) {
    throw UsageError(path_ + ": an empty file, not a keysweep inventory store" + create_hint);
  }
  int flags = (importing ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UsageError(path_ + ": cannot open the inventory store: " + reason);
  }
  sqlite3_busy_timeout(db_, kStoreBusyTimeoutMs);
  try {
    if (importing) {
      execute("BEGIN IMMEDIATE");
      if (schema_version() == 0 && table_count() == 0) {
        execute(kSchema);
        execute(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
      }
      execute("COMMIT");
    }
    int found = schema_version();
    if (found > kSchemaVersion) {
      throw UsageError(path_ + ": the inventory store has schema version " + std::to_string(found) +
                       "; this keysweep reads version " + std::to_string(kSchemaVersion));
    }
    if (found != kSchemaVersion || !has_keysweep_tables()) {
      throw UsageError(path_ +
                       ": not a keysweep inventory store (an SQLite database without keysweep's "
                       "tables; keysweep does not add them to another application's database)");
    }
    // WAL is a property of the file: once set, every later reader gets it.
    if (importing) execute("PRAGMA journal_mode = WAL");
  } catch (const StoreBusy&) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  } catch (const RuntimeFailure& failure) {
    sqlite3_close(db_);
    db_ = nullptr;
    // SQLITE_NOTADB and friends: bad input, not a keysweep failure.
    throw UsageError(path_ + ": not a keysweep inventory store (" + failure.what() + ")");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

int InventoryStore::schema_version() const {
  Statement version(db_, "PRAGMA user_version", path_);
  return version.step() ? std::stoi(version.text(0)) : 0;
}

int InventoryStore::table_count() const {
  Statement tables(db_, "SELECT count(*) FROM sqlite_master", path_);
  return tables.step() ? std::stoi(tables.text(0)) : 0;
}

bool InventoryStore::has_keysweep_tables() const {
  Statement tables(db_,
                   "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('keys', "
                   "'users', 'imports')",
                   path_);
  return tables.step() && tables.text(0) == "3";
}

InventoryStore::~InventoryStore() {
  sqlite3_close(db_);
}

void InventoryStore::execute(const char* sql) const {
  char* message = nullptr;
  int status = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (status != SQLITE_OK) {
    sqlite3_free(message);
    throw_sqlite_failure(db_, status, path_);
  }
}

std::vector<ImportOutcome> InventoryStore::import(const std::vector<ApiResponse>& responses,
                                                  UnixTime now) {
  const std::string stamp = format_timestamp(now);
  struct Listing {
    std::set<std::string> ids, owners;
    std::set<std::size_t> totals;
    bool untotalled = false;
    bool org_wide = true;
    std::size_t added = 0;
  };
  std::map<ListingFamily, Listing> listings;

  execute("BEGIN IMMEDIATE");
  try {
    Statement exists(db_, "SELECT 1 FROM keys WHERE kind = ?1 AND id = ?2", path_);
    Statement upsert(db_, kUpsertKey, path_);
    Statement upsert_user(db_, kUpsertUser, path_);
    for (const ApiResponse& response : responses) {
      if (!response.family_known) continue;
      Listing& listing = listings[response.family];
      if (response.is_list) {
        listing.org_wide = listing.org_wide && response.org_wide;
        if (response.total_count)
          listing.totals.insert(*response.total_count);
        else
          listing.untotalled = true;
      }
      for (const KeyRecord& record : response.records) {
        exists.bind(1, std::string(key_kind_name(record.kind)));
        exists.bind(2, record.id);
        bool known = exists.step();
        exists.reset();
        if (!known) ++listing.added;
        if (response.is_list) {
          listing.ids.insert(record.id);
          listing.owners.insert(record.owner_id);
        }
        upsert.bind(1, std::string(key_kind_name(record.kind)));
        upsert.bind(2, record.id);
        upsert.bind(3, record.name);
        upsert.bind(4, record.last4);
        upsert.bind(5, record.public_portion);
        upsert.bind(6, record.key_sha256);
        upsert.bind(7, record.created_at);
        upsert.bind(8, record.modified_at);
        upsert.bind(9, record.last_used_at);
        upsert.bind(10, record.expires_at);
        upsert.bind(11, record.category);
        upsert.bind(12, record.remote_config_read_enabled);
        upsert.bind(13, record.scopes);
        upsert.bind(14, record.owner_id);
        upsert.bind(15, stamp);
        upsert.step();
        upsert.reset();
      }
      for (const UserRecord& user : response.users) {
        upsert_user.bind(1, user.id);
        upsert_user.bind(2, user.name);
        upsert_user.bind(3, user.email);
        upsert_user.bind(4, user.handle);
        upsert_user.bind(5, user.disabled);
        upsert_user.bind(6, user.service_account);
        upsert_user.step();
        upsert_user.reset();
      }
    }

    std::vector<ImportOutcome> outcomes;
    for (auto& [family, listing] : listings) {
      ImportOutcome outcome;
      outcome.family = family;
      outcome.listed = listing.ids.size();
      outcome.added = listing.added;
      if (listing.totals.size() == 1 && !listing.untotalled)
        outcome.total_count = *listing.totals.begin();
      outcome.complete = outcome.total_count && *outcome.total_count == listing.ids.size();
      if (outcome.complete) {
        // API keys and RUM tokens belong to the organisation, so any complete
        // listing covers them all. Other keys belong to a user or a service
        // account, and a saved listing may be one owner's (current_user,
        // service_accounts/{id}): it proves absence only for owners it shows.
        bool owned =
            family == ListingFamily::application_keys || family == ListingFamily::access_tokens;
        outcome.revoked = revoke_missing(
            family, listing.ids, owned && !listing.org_wide ? &listing.owners : nullptr, stamp);
      }
      Statement log(db_, "INSERT INTO imports VALUES (?1, ?2, ?3, ?4, ?5, ?6)", path_);
      log.bind(1, stamp);
      log.bind(2, std::string(listing_family_name(family)));
      log.bind(3, std::int64_t(outcome.listed));
      if (outcome.total_count) log.bind(4, std::int64_t(*outcome.total_count));
      log.bind(5, std::optional<bool>(outcome.complete));
      log.bind(6, std::int64_t(outcome.revoked));
      log.step();
      outcomes.push_back(outcome);
    }
    execute("COMMIT");
    return outcomes;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr,
                 nullptr);  // the first error is the one to report
    throw;
  }
}

std::size_t InventoryStore::revoke_missing(ListingFamily family,
                                           const std::set<std::string>& listed,
                                           const std::set<std::string>* owners,
                                           const std::string& stamp) {
  execute(
      "CREATE TEMP TABLE IF NOT EXISTS listed (id TEXT PRIMARY KEY); DELETE FROM listed;"
      "CREATE TEMP TABLE IF NOT EXISTS listed_owners (id TEXT PRIMARY KEY); DELETE FROM "
      "listed_owners;");
  Statement add_id(db_, "INSERT OR IGNORE INTO listed VALUES (?1)", path_);
  for (const std::string& id : listed) {
    add_id.bind(1, id);
    add_id.step();
    add_id.reset();
  }
  if (owners) {
    Statement add_owner(db_, "INSERT OR IGNORE INTO listed_owners VALUES (?1)", path_);
    for (const std::string& owner : *owners) {
      add_owner.bind_exact(1, owner);  // '' for records without an owner
      add_owner.step();
      add_owner.reset();
    }
  }
  std::size_t revoked = 0;
  Statement revoke(db_,
                   "UPDATE keys SET revoked = 1, revoked_at = ?1 WHERE kind = ?2 AND revoked = 0 "
                   "AND id NOT IN (SELECT id FROM listed) "
                   "AND (?3 OR COALESCE(owner_id, '') IN (SELECT id FROM listed_owners))",
                   path_);
  for (KeyKind kind : kinds_of(family)) {
    revoke.bind(1, stamp);
    revoke.bind(2, std::string(key_kind_name(kind)));
    revoke.bind(3, std::optional<bool>(owners == nullptr));
    revoke.step();
    revoked += std::size_t(sqlite3_changes(db_));
    revoke.reset();
  }
  return revoked;
}

std::vector<KeyRecord> InventoryStore::keys() const {
  Statement select(
      db_,
      "SELECT kind, id, name, last4, public_portion, key_sha256, created_at, modified_at, "
      "last_used_at, expires_at, category, remote_config_read_enabled, scopes, owner_id, "
      "revoked, revoked_at, first_imported, last_imported FROM keys ORDER BY kind, name, id",
      path_);
  std::vector<KeyRecord> records;
  while (select.step()) {
    KeyRecord record;
    record.kind = key_kind_from_name(select.text(0)).value_or(KeyKind::api_key);
    record.id = select.text(1);
    record.name = select.text(2);
    record.last4 = select.text(3);
    record.public_portion = select.text(4);
    record.key_sha256 = select.text(5);
    record.created_at = select.text(6);
    record.modified_at = select.text(7);
    record.last_used_at = select.text(8);
    record.expires_at = select.text(9);
    record.category = select.text(10);
    record.remote_config_read_enabled = select.flag(11);
    record.scopes = select.text(12);
    record.owner_id = select.text(13);
    record.revoked = select.flag(14).value_or(false);
    record.revoked_at = select.text(15);
    record.first_imported = select.text(16);
    record.last_imported = select.text(17);
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<UserRecord> InventoryStore::users() const {
  Statement select(
      db_, "SELECT id, name, email, handle, disabled, service_account FROM users ORDER BY id",
      path_);
  std::vector<UserRecord> users;
  while (select.step()) {
    users.push_back({select.text(0), select.text(1), select.text(2), select.text(3), select.flag(4),
                     select.flag(5)});
  }
  return users;
}

}  // namespace keysweep
