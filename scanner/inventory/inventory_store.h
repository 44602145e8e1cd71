#pragma once
// The inventory store: one SQLite file (mode 0600) of key metadata and key
// hashes, never key values. Every import is one transaction, so a failed or
// interrupted import leaves the store as it was.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "inventory/api_response.h"
#include "inventory/key_record.h"

struct sqlite3;

namespace keysweep {

/// What one import did to one family of keys.
struct ImportOutcome {
  ListingFamily family = ListingFamily::api_keys;
  std::size_t listed = 0;    // records the listing pages held
  std::size_t added = 0;     // records the store did not have
  std::size_t revoked = 0;   // active records the complete listing no longer has
  std::optional<std::size_t> total_count;
  bool complete = false;     // every page of the listing was given
};

class InventoryStore {
 public:
  /// $KEYSWEEP_STORE, else $XDG_DATA_HOME/keysweep/inventory.db, else
  /// ~/.local/share/keysweep/inventory.db.
  static std::string default_path();

  /// Opens the store at `path`. With `create`, a missing store (and its
  /// directory) is created; without, a missing store is a UsageError.
  /// A file that is not a keysweep store is a UsageError naming it.
  InventoryStore(std::string path, bool create);
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
  std::size_t revoke_missing(ListingFamily family, const std::set<std::string>& listed,
                             const std::set<std::string>* owners, const std::string& stamp);
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace keysweep
