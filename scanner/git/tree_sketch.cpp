#include "git/tree_sketch.h"

#include <cstring>

namespace keysweep {
namespace {

constexpr int kProbes = 3;

/// The i-th Bloom probe of an id, double hashing over two independent words.
std::uint64_t probe(const git_oid& id, int i) {
  std::uint64_t a, b;
  std::memcpy(&a, id.id + 4, sizeof a);
  std::memcpy(&b, id.id + 12, sizeof b);
  return a + std::uint64_t(i) * (b | 1);
}

bool bloom_has(const std::uint64_t* words, std::uint32_t count, const git_oid& id) {
  const std::uint64_t bits = std::uint64_t(count) * 64;
  for (int i = 0; i < kProbes; ++i) {
    std::uint64_t bit = probe(id, i) % bits;
    if ((words[bit / 64] & (std::uint64_t(1) << (bit % 64))) == 0) return false;
  }
  return true;
}

}  // namespace

std::uint64_t TreeSketch::key(const git_oid& id) {
  std::uint64_t value;
  std::memcpy(&value, id.id, sizeof value);
  return value;
}

void TreeSketch::add(const git_oid& tree, std::string_view raw) {
  std::vector<git_oid> blobs;
  Tree entry{key(tree), 0, 0, std::uint32_t(children_.size()), 0};
  while (!raw.empty()) {
    std::size_t space = raw.find(' ');
    std::size_t nul = raw.find('\0', space);
    if (space == std::string_view::npos || nul == std::string_view::npos ||
        raw.size() < nul + 1 + GIT_OID_RAWSZ) {
      break;
    }
    std::string_view mode = raw.substr(0, space);
    git_oid id;
    git_oid_fromraw(&id, reinterpret_cast<const unsigned char*>(raw.data() + nul + 1));
    if (mode == "40000") {
      children_.push_back(key(id));
      ++entry.child_count;
    } else if (mode != "160000") {
      blobs.push_back(id);
    }
    raw.remove_prefix(nul + 1 + GIT_OID_RAWSZ);
  }
  entry.bloom_offset = std::uint32_t(blooms_.size());
  entry.bloom_words = std::uint32_t(std::max<std::size_t>(1, (blobs.size() * 8 + 63) / 64));
  blooms_.resize(blooms_.size() + entry.bloom_words, 0);
  const std::uint64_t bits = std::uint64_t(entry.bloom_words) * 64;
  for (const git_oid& id : blobs) {
    for (int i = 0; i < kProbes; ++i) {
      std::uint64_t bit = probe(id, i) % bits;
      blooms_[entry.bloom_offset + bit / 64] |= std::uint64_t(1) << (bit % 64);
    }
  }
  trees_.push_back(entry);
}

void TreeSketch::merge(TreeSketch&& other) {
  const auto bloom_base = std::uint32_t(blooms_.size());
  const auto child_base = std::uint32_t(children_.size());
  blooms_.insert(blooms_.end(), other.blooms_.begin(), other.blooms_.end());
  children_.insert(children_.end(), other.children_.begin(), other.children_.end());
  for (Tree tree : other.trees_) {
    tree.bloom_offset += bloom_base;
    tree.child_offset += child_base;
    trees_.push_back(tree);
  }
  other = TreeSketch();
}

std::unordered_set<std::uint64_t> TreeSketch::trees_leading_to(
    const std::vector<git_oid>& blobs) const {
  std::unordered_set<std::uint64_t> leading;
  std::vector<bool> done(trees_.size(), false);
  for (std::size_t i = 0; i < trees_.size(); ++i) {
    const Tree& tree = trees_[i];
    for (const git_oid& blob : blobs) {
      if (bloom_has(blooms_.data() + tree.bloom_offset, tree.bloom_words, blob)) {
        leading.insert(tree.key);
        done[i] = true;
        break;
      }
    }
  }
  // Upwards, until nothing changes: a tree leads to a target if a subtree does.
  // Each round climbs one level; trees are a few dozen levels deep at most.
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t i = 0; i < trees_.size(); ++i) {
      if (done[i]) continue;
      const Tree& tree = trees_[i];
      for (std::uint32_t c = 0; c < tree.child_count; ++c) {
        if (leading.count(children_[tree.child_offset + c]) != 0) {
          leading.insert(tree.key);
          done[i] = grew = true;
          break;
        }
      }
    }
  }
  return leading;
}

}  // namespace keysweep
