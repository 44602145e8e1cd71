#pragma once
// Whether a found key works: what the inventory or the Datadog API says about
// it, with the evidence, attached to a finding.

#include <optional>
#include <string>
#include <vector>

namespace keysweep {

enum class Liveness {
  live,     // an active key of the inventory, or the API accepted it
  revoked,  // the inventory had it and it is gone
  expired,  // a PAT or SAT past its expiry
  invalid,  // the API refused it and the inventory does not know it
  unknown,  // neither the inventory nor the API could say
};

const char* liveness_name(Liveness liveness);

/// The inventory record a finding was matched to (never the key value).
struct InventoryEntry {
  std::string id;
  std::string kind;
  std::string name;
  std::string owner;  // name, else handle, else id
  std::string owner_email;
  std::string created_at;
  std::string last_used_at;
  std::string expires_at;
  std::string revoked_at;
};

struct LivenessLabel {
  Liveness status = Liveness::unknown;
  std::vector<std::string> evidence;  // "hash", "last4", "public-portion", "online"
  std::optional<InventoryEntry> inventory;
  std::string site;  // the Datadog site that answered, for online checks
};

}  // namespace keysweep
