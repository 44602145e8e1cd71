#include "git/object_table.h"

#include <cstring>

namespace keysweep {

std::uint64_t ObjectTable::key_of(const git_oid& id) {
  std::uint64_t key;
  std::memcpy(&key, id.id, sizeof key);
  return key != 0 ? key : 1;
}

ObjectTable::ObjectTable(std::vector<git_oid> ids) : ids_(std::move(ids)) {
  std::size_t slots = 16;
  while (slots < 2 * ids_.size()) slots *= 2;
  mask_ = slots - 1;
  keys_.assign(slots, 0);
  entries_.assign(slots, 0);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    const git_oid id = ids_[i];
    const std::uint64_t key = key_of(id);
    std::size_t slot = key & mask_;
    bool listed_again = false;
    for (; keys_[slot] != 0; slot = (slot + 1) & mask_) {
      if (keys_[slot] == key && git_oid_equal(&ids_[entries_[slot]], &id)) {
        listed_again = true;
        break;
      }
    }
    if (listed_again) continue;
    keys_[slot] = key;
    entries_[slot] = std::uint32_t(kept);
    ids_[kept++] = id;
  }
  ids_.resize(kept);
  ids_.shrink_to_fit();
}

bool ObjectTable::contains(const git_oid& id) const {
  const std::uint64_t key = key_of(id);
  for (std::size_t slot = key & mask_; keys_[slot] != 0; slot = (slot + 1) & mask_) {
    if (keys_[slot] == key) return true;
  }
  return false;
}

}  // namespace keysweep
