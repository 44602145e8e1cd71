#pragma once
// The ids of an object database in one flat open-addressing table, for a
// history pass over every object: each id once, in storage order, and which
// ids are present. 12 bytes per slot, at most half the slots full: git's own
// history (850k objects) takes 24 MB, where a node-based set of git_oid took
// about 56 bytes per id and a fifth of the pass's time.

#include <git2.h>

#include <cstdint>
#include <vector>

namespace keysweep {

class ObjectTable {
 public:
  /// Indexes `ids` (storage order, as list_objects gives them) and drops ids
  /// listed again (a multi-pack or alternates layout lists some twice),
  /// keeping the first occurrence.
  explicit ObjectTable(std::vector<git_oid> ids);

  /// The ids, each once, in storage order.
  const std::vector<git_oid>& ids() const { return ids_; }

  /// Whether the database holds `id`, judged by its first 8 bytes: object ids
  /// are uniformly random, so a wrong "yes" needs an absent id to share 64
  /// bits with a present one (about 2^-64 per pair). Only the count of
  /// missing objects, a warning, rests on it; the ids themselves are
  /// deduplicated by their full 20 bytes.
  bool contains(const git_oid& id) const;

 private:
  static std::uint64_t key_of(const git_oid& id);

  std::vector<std::uint64_t> keys_;     // 0: an empty slot (a key of 0 is stored as 1)
  std::vector<std::uint32_t> entries_;  // the index into ids_ of each slot's id
  std::vector<git_oid> ids_;
  std::size_t mask_ = 0;
};

}  // namespace keysweep
