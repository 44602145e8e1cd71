#include "git/tree_sketch.h"

#include <cstring>

#include "git/raw_tree.h"

namespace keysweep {

std::uint64_t TreeSketch::key(const git_oid& id) {
  std::uint64_t value;
  std::memcpy(&value, id.id, sizeof value);
  return value;
}

std::uint32_t TreeSketch::fingerprint(const git_oid& id) {
  std::uint32_t value;
  std::memcpy(&value, id.id + 8, sizeof value);
  return value;
}

void TreeSketch::add(const git_oid& tree, std::string_view raw) {
  Tree entry{key(tree), blobs_.size(), children_.size(), 0, 0};
  for_each_tree_entry(raw, [&](std::string_view mode, const git_oid& id) {
    if (mode == "40000") {
      children_.push_back(key(id));
      ++entry.child_count;
    } else if (mode != "160000") {
      blobs_.push_back(fingerprint(id));
      ++entry.blob_count;
    }
  });
  trees_.push_back(entry);
}

void TreeSketch::merge(TreeSketch&& other) {
  const std::size_t blob_base = blobs_.size();
  const std::size_t child_base = children_.size();
  blobs_.insert(blobs_.end(), other.blobs_.begin(), other.blobs_.end());
  children_.insert(children_.end(), other.children_.begin(), other.children_.end());
  for (Tree tree : other.trees_) {
    tree.blob_offset += blob_base;
    tree.child_offset += child_base;
    trees_.push_back(tree);
  }
  other = TreeSketch();
}

std::unordered_set<std::uint64_t> TreeSketch::trees_leading_to(
    const std::vector<git_oid>& blobs) const {
  std::unordered_set<std::uint32_t> wanted;
  for (const git_oid& blob : blobs) wanted.insert(fingerprint(blob));
  std::unordered_set<std::uint64_t> leading;
  std::vector<bool> done(trees_.size(), false);
  if (wanted.empty()) return leading;
  for (std::size_t i = 0; i < trees_.size(); ++i) {
    const Tree& tree = trees_[i];
    for (std::uint32_t b = 0; b < tree.blob_count; ++b) {
      if (wanted.count(blobs_[tree.blob_offset + b]) != 0) {
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
