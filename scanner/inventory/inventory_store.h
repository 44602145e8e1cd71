#pragma once
// The inventory store: one SQLite file (mode 0600) of key metadata and key
// hashes, never key values. Every import is one transaction, so a failed or
// interrupted import leaves the store as it was. The store is in WAL mode:
// readers never wait for a writer, and a writer waits for another writer at
// most kStoreBusyTimeoutMs, then fails with StoreBusy.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "inventory/api_response.h"
#include "inventory/key_record.h"
#include "util/error.h"

struct sqlite3;

namespace keysweep {

/// What one import did to one family of keys.
struct ImportOutcome {
  ListingFamily family = ListingFamily::api_keys;
  std::size_t listed = 0;   // records the listing pages held
  std::size_t added = 0;    // records the store did not have
  std::size_t revoked = 0;  // active records the complete listing no longer has
  std::optional<std::size_t> total_count;
  bool complete = false;  // every page of the listing was given
};

/// How long a writer waits for another writer's transaction (README "Inventory").
constexpr int kStoreBusyTimeoutMs = 5000;

/// Another process held the store's write lock for longer than the timeout. Exit 3.
class StoreBusy : public RuntimeFailure {
 public:
  using RuntimeFailure::RuntimeFailure;
};

enum class StoreAccess {
  read_only,  // list, audit, scan --inventory: never writes, not even a schema
  import,     // import, sync: may create the store, in a new or empty file only
};

class InventoryStore {
 public:
  /// $KEYSWEEP_STORE, else $XDG_DATA_HOME/keysweep/inventory.db, else
  /// ~/.local/share/keysweep/inventory.db.
  static std::string default_path();

  /// Opens the store at `path`. With StoreAccess::import, a missing store
  /// (and its directory, mode 0700) is created, and an empty file becomes
  /// one. A missing store for reading, an empty file for reading, or a file
  /// without keysweep's schema (another application's database) is a
  /// UsageError naming it.
  InventoryStore(std::string path, StoreAccess access);
  ~InventoryStore();
  InventoryStore(const InventoryStore&) = delete;
  InventoryStore& operator=(const InventoryStore&) = delete;

  /// Adds or updates the records of `responses` and applies what complete
  /// listings prove (see README "Inventory"). All or nothing.
  std::vector<ImportOutcome> import(const std::vector<ApiResponse>& responses, UnixTime now);

  std::vector<KeyRecord> keys() const;
  std::vector<UserRecord> users() const;
  const std::string& path() const { return path_; }

 private:
  void execute(const char* sql) const;
  int schema_version() const;
  int table_count() const;
  bool has_keysweep_tables() const;
  std::size_t revoke_missing(ListingFamily family, const std::set<std::string>& listed,
                             const std::set<std::string>* owners, const std::string& stamp);
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace keysweep
