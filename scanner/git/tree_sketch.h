#pragma once
// A compact sketch of the trees a history pass reads, so that provenance can
// descend only into trees that lead to a blob with findings instead of
// reading every tree of history a second time.
//
// Per tree: the 64-bit keys of its subtrees and 32-bit fingerprints of its
// blobs (4 bytes per entry). Fingerprints have no false negatives, and two
// trees sharing a key only merge their sketches, so the trees found are always
// a superset of the trees that lead to a target: a false positive costs a
// read, never a finding. (A Bloom filter of 8 bits per entry was tried: its
// ~3% false positives per big tree compounded up through every parent and
// marked half of history's trees.)

#include <git2.h>

#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace keysweep {

class TreeSketch {
 public:
  /// The key a tree or blob id is known by here (ids are uniformly random).
  static std::uint64_t key(const git_oid& id);

  /// Adds one tree; `raw` is its object content.
  void add(const git_oid& tree, std::string_view raw);
  void merge(TreeSketch&& other);

  /// Keys of the trees that contain one of `blobs`, directly or below.
  std::unordered_set<std::uint64_t> trees_leading_to(const std::vector<git_oid>& blobs) const;

 private:
  /// The 32 bits a blob is fingerprinted by (other bytes than key()).
  static std::uint32_t fingerprint(const git_oid& id);

  struct Tree {
    std::uint64_t key;
    std::size_t blob_offset, child_offset;  // into blobs_, children_
    std::uint32_t blob_count, child_count;
  };
  std::vector<Tree> trees_;
  std::vector<std::uint32_t> blobs_;
  std::vector<std::uint64_t> children_;
};

}  // namespace keysweep
