#pragma once
// The organisation's keys as the inventory knows them: metadata from the
// Datadog API, and the SHA-256 of a key's value where the API ever showed it.
// A value itself is never kept.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/key_kind.h"
#include "util/timestamp.h"

namespace keysweep {

struct KeyRecord {
  KeyKind kind = KeyKind::api_key;
  std::string id;
  std::string name;
  std::string last4;
  std::string public_portion;  // PATs and SATs
  std::string key_sha256;      // lowercase hex; empty when the value was never seen
  std::string created_at, modified_at, last_used_at, expires_at;  // as the API wrote them
  std::string category;
  std::optional<bool> remote_config_read_enabled;
  // A JSON array of scope names; "null" when the API said the key has no
  // scopes (all of its owner's permissions); empty when the API did not say.
  std::string scopes;
  std::string owner_id;
  bool revoked = false;
  std::string revoked_at;
  std::string first_imported, last_imported;
};

struct UserRecord {
  std::string id;
  std::string name;
  std::string email;
  std::string handle;
  std::optional<bool> disabled;
  std::optional<bool> service_account;
};

/// Where a key stands at a given time.
enum class KeyState { active, revoked, expired };

KeyState key_state(const KeyRecord& record, UnixTime now);

}  // namespace keysweep
