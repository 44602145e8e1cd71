#include "inventory/key_record.h"

namespace keysweep {

KeyState key_state(const KeyRecord& record, UnixTime now) {
  if (record.revoked) return KeyState::revoked;
  if (!record.expires_at.empty()) {
    std::optional<UnixTime> expires = parse_timestamp(record.expires_at);
    if (expires && *expires <= now) return KeyState::expired;
  }
  return KeyState::active;
}

}  // namespace keysweep
