#pragma once
// Git's raw tree format, read without libgit2's object layer: a history pass
// already holds each tree's bytes and only needs its entries' modes and ids.

#include <git2.h>

#include <string_view>

namespace keysweep {

/// Calls on_entry(mode, name, id) for each "<mode> <name>\0<20-byte id>"
/// entry. A malformed tail ends the walk; the entries before it stand.
template <typename OnEntry>
void for_each_named_tree_entry(std::string_view raw, OnEntry&& on_entry) {
  while (!raw.empty()) {
    std::size_t space = raw.find(' ');
    std::size_t nul = raw.find('\0', space);
    if (space == std::string_view::npos || nul == std::string_view::npos ||
        raw.size() < nul + 1 + GIT_OID_RAWSZ) {
      return;
    }
    git_oid id;
    git_oid_fromraw(&id, reinterpret_cast<const unsigned char*>(raw.data() + nul + 1));
    on_entry(raw.substr(0, space), raw.substr(space + 1, nul - space - 1), id);
    raw.remove_prefix(nul + 1 + GIT_OID_RAWSZ);
  }
}

/// Calls on_entry(mode, id) for each entry, as above.
template <typename OnEntry>
void for_each_tree_entry(std::string_view raw, OnEntry&& on_entry) {
  for_each_named_tree_entry(
      raw, [&](std::string_view mode, std::string_view, const git_oid& id) { on_entry(mode, id); });
}

}  // namespace keysweep
