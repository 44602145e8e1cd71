#include "inventory/inventory_index.h"

#include <algorithm>

#include "util/sha256.h"
#include "util/text.h"

namespace keysweep {
namespace {

/// The alias of `ddpat_<alias>_<secret>`: what a public portion names.
std::string_view token_alias(std::string_view token) {
  std::size_t first = token.find('_');
  if (first == std::string_view::npos) return {};
  std::size_t second = token.find('_', first + 1);
  if (second == std::string_view::npos) return {};
  return token.substr(first + 1, second - first - 1);
}

bool public_portion_matches(std::string_view public_portion, std::string_view token) {
  if (public_portion.empty()) return false;
  // Either the token's leading part ("ddpat_<alias>") or the alias alone.
  if (token.starts_with(public_portion) && public_portion.size() < token.size() &&
      token[public_portion.size()] == '_') {
    return true;
  }
  return token_alias(token) == public_portion;
}

}  // namespace

InventoryIndex::InventoryIndex(std::vector<KeyRecord> keys, const std::vector<UserRecord>& users,
                               UnixTime now)
    : keys_(std::move(keys)), users_(users), now_(now) {
  for (const UserRecord& user : users_) users_by_id_[user.id] = &user;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    const KeyRecord& record = keys_[i];
    if (!record.key_sha256.empty()) {
      by_hash_[record.key_sha256] = i;
      if (record.last4.size() == 4) {
        hashed_suffixes_.insert(ascii_lowercase(record.last4));
      } else {
        ++hashed_without_last4_;
      }
    } else if (!record.last4.empty())
      by_last4_.emplace(std::string(key_kind_name(record.kind)) + ':' + record.last4, i);
  }
}

const KeyRecord* InventoryIndex::find_by_hash(const std::string& sha256_hex) const {
  auto it = by_hash_.find(sha256_hex);
  return it == by_hash_.end() ? nullptr : &keys_[it->second];
}

bool InventoryIndex::knows_value(std::string_view secret) const {
  // Most candidates end unlike any hashed key: a set lookup, not a SHA-256.
  // A key whose last4 the API did not give is always hashed.
  if (hashed_without_last4_ == 0 && secret.size() >= 4 &&
      !hashed_suffixes_.contains(ascii_lowercase(std::string(secret.substr(secret.size() - 4))))) {
    return false;
  }
  return by_hash_.contains(sha256_hex(secret));
}

LivenessLabel InventoryIndex::label_for(const KeyRecord& record, const char* evidence) const {
  LivenessLabel label;
  switch (key_state(record, now_)) {
    case KeyState::active:
      label.status = Liveness::live;
      break;
    case KeyState::revoked:
      label.status = Liveness::revoked;
      break;
    case KeyState::expired:
      label.status = Liveness::expired;
      break;
  }
  label.evidence.push_back(evidence);
  InventoryEntry entry{
      record.id,           key_kind_name(record.kind), record.name,      "", "", record.created_at,
      record.last_used_at, record.expires_at,          record.revoked_at};
  if (auto user = users_by_id_.find(record.owner_id); user != users_by_id_.end()) {
    const UserRecord& owner = *user->second;
    entry.owner = !owner.name.empty()     ? owner.name
                  : !owner.handle.empty() ? owner.handle
                                          : owner.id;
    entry.owner_email = owner.email;
  } else {
    entry.owner = record.owner_id;
  }
  label.inventory = std::move(entry);
  return label;
}

LivenessLabel InventoryIndex::label(std::string_view key_type, std::string_view secret,
                                    const std::string& secret_sha256) const {
  if (const KeyRecord* record = find_by_hash(secret_sha256)) return label_for(*record, "hash");

  std::optional<KeyKind> kind = key_kind_from_name(key_type);
  if (kind == KeyKind::personal_access_token || kind == KeyKind::service_access_token) {
    for (const KeyRecord& record : keys_) {
      if (record.kind == *kind && record.key_sha256.empty() &&
          public_portion_matches(record.public_portion, secret)) {
        return label_for(record, "public-portion");
      }
    }
  } else if (kind && secret.size() > 4) {
    // Several records may share a last4; an active one is the one that matters.
    std::string key =
        std::string(key_kind_name(*kind)) + ':' + std::string(secret.substr(secret.size() - 4));
    auto [first, last] = by_last4_.equal_range(key);
    const KeyRecord* best = nullptr;
    for (auto it = first; it != last; ++it) {
      const KeyRecord& record = keys_[it->second];
      if (!best || (key_state(record, now_) == KeyState::active &&
                    key_state(*best, now_) != KeyState::active)) {
        best = &record;
      }
    }
    if (best) return label_for(*best, "last4");
  }
  return LivenessLabel{};
}

}  // namespace keysweep
