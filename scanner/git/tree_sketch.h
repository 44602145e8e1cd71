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
//
// Memory: 16 bytes per tree and 8 per subtree entry stay in memory; blob
// fingerprints, the bulk (git's own history has 160 million tree entries),
// are spilled to an unlinked temporary file (in TMPDIR, mode 0600) once more
// than `spill_after` are pending, and read back in order by trees_leading_to.

#include <git2.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace keysweep {

class TreeSketch {
 public:
  /// `spill_after`: how many blob fingerprints a sketch holds in memory
  /// (4 bytes each) before it writes them out.
  explicit TreeSketch(std::size_t spill_after = std::size_t(1) << 20);
  ~TreeSketch();
  TreeSketch(TreeSketch&&) noexcept;
  TreeSketch& operator=(TreeSketch&&) noexcept;

  /// The key a tree or blob id is known by here (ids are uniformly random).
  static std::uint64_t key(const git_oid& id);

  /// Adds one tree; `raw` is its object content. Throws RuntimeFailure when
  /// the temporary file cannot be created or written (a full disk).
  void add(const git_oid& tree, std::string_view raw);
  /// Takes over `other`'s trees (no copy of the spilled fingerprints).
  void merge(TreeSketch&& other);

  /// Keys of the trees that contain one of `blobs`, directly or below.
  /// Throws RuntimeFailure when the temporary file cannot be read back.
  std::unordered_set<std::uint64_t> trees_leading_to(const std::vector<git_oid>& blobs) const;

 private:
  /// The 32 bits a blob is fingerprinted by (other bytes than key()).
  static std::uint32_t fingerprint(const git_oid& id);

  struct Part;  // one worker's trees, in the order they were added
  std::vector<std::unique_ptr<Part>> parts_;
  std::size_t spill_after_;
};

}  // namespace keysweep
