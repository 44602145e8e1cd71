#pragma once
// The inventory in memory, for labelling findings: lookups by key hash, by
// kind + last4 and by an access token's public portion.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "findings/liveness.h"
#include "inventory/key_record.h"

namespace keysweep {

class InventoryIndex {
 public:
  InventoryIndex(std::vector<KeyRecord> keys, const std::vector<UserRecord>& users, UnixTime now);

  /// The label of a found secret of `key_type` (a rule's keyType). A hash
  /// match is proof; last4 and public-portion matches are only for keys whose
  /// hash the inventory does not have (else the hash would have matched).
  LivenessLabel label(std::string_view key_type, std::string_view secret,
                      const std::string& secret_sha256) const;

  /// The record whose value hashes to `sha256_hex`, if any.
  const KeyRecord* find_by_hash(const std::string& sha256_hex) const;

  /// True when `secret` is a key the inventory knows by hash. Cheap enough
  /// for every hex token a scan meets.
  bool knows_value(std::string_view secret) const;

  bool has_hashes() const { return !by_hash_.empty(); }

 private:
  LivenessLabel label_for(const KeyRecord& record, const char* evidence) const;

  std::vector<KeyRecord> keys_;
  std::unordered_map<std::string, std::size_t> by_hash_;
  std::unordered_set<std::string> hashed_suffixes_;  // last4 of the keys in by_hash_, lowercase
  std::size_t hashed_without_last4_ = 0;
  std::unordered_multimap<std::string, std::size_t> by_last4_;  // kind + ':' + last4
  std::unordered_map<std::string, const UserRecord*> users_by_id_;
  std::vector<UserRecord> users_;
  UnixTime now_;
};

}  // namespace keysweep
