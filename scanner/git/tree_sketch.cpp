#include "git/tree_sketch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "git/raw_tree.h"
#include "util/error.h"

namespace keysweep {

struct TreeSketch::Part {
  struct Tree {
    std::uint64_t key;
    std::uint32_t blob_count, child_count;
  };
  std::vector<Tree> trees;
  std::vector<std::uint64_t> children;  // subtree keys, tree after tree
  std::vector<std::uint32_t> pending;   // blob fingerprints not yet spilled, after the spilled ones
  int spill = -1;                       // the unlinked file of the spilled fingerprints
  std::size_t spilled = 0;              // fingerprints in it

  ~Part() {
    if (spill >= 0) ::close(spill);
  }

  void write_pending() {
    if (spill < 0) spill = open_spill_file();
    const char* bytes = reinterpret_cast<const char*>(pending.data());
    std::size_t left = pending.size() * sizeof(std::uint32_t);
    while (left > 0) {
      ssize_t written = ::write(spill, bytes, left);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        throw RuntimeFailure("cannot write the history's tree sketch to a temporary file in " +
                             std::filesystem::temp_directory_path().string() + ": " +
                             std::strerror(errno));
      }
      bytes += written;
      left -= std::size_t(written);
    }
    spilled += pending.size();
    pending.clear();
  }

  /// Calls on_tree(tree, fingerprints, count) for each tree in order, its
  /// fingerprints read back from the spill file in chunks, then from `pending`.
  template <typename OnTree>
  void for_each_tree(OnTree&& on_tree) const {
    std::vector<std::uint32_t> chunk;
    std::size_t chunk_start = 0, next = 0;  // fingerprint index of chunk[0], and of the next one
    std::vector<std::uint32_t> straddling;  // a tree's fingerprints that span two chunks
    auto fetch = [&](std::size_t from) {    // reads spilled fingerprints from index `from`
      std::size_t count = std::min<std::size_t>(std::size_t(1) << 18, spilled - from);
      chunk.resize(count);
      std::size_t done = 0;
      while (done < count * sizeof(std::uint32_t)) {
        ssize_t got = ::pread(spill, reinterpret_cast<char*>(chunk.data()) + done,
                              count * sizeof(std::uint32_t) - done,
                              off_t(from * sizeof(std::uint32_t) + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
          throw RuntimeFailure(
              "cannot read the history's tree sketch back from its temporary file: " +
              std::string(got < 0 ? std::strerror(errno) : "it is shorter than written"));
        }
        done += std::size_t(got);
      }
      chunk_start = from;
    };
    for (const Tree& tree : trees) {
      const std::size_t first = next;
      next += tree.blob_count;
      if (first >= spilled) {  // all in memory
        on_tree(tree, pending.data() + (first - spilled));
        continue;
      }
      straddling.clear();
      for (std::size_t i = first; i < next; ++i) {
        if (i >= spilled) {
          straddling.push_back(pending[i - spilled]);
          continue;
        }
        if (i < chunk_start || i >= chunk_start + chunk.size()) fetch(i);
        straddling.push_back(chunk[i - chunk_start]);
      }
      on_tree(tree, straddling.data());
    }
  }

  static int open_spill_file() {
    std::string path =
        (std::filesystem::temp_directory_path() / "keysweep-tree-sketch-XXXXXX").string();
    int fd = ::mkstemp(path.data());  // mode 0600
    if (fd < 0) {
      throw RuntimeFailure("cannot create a temporary file for the history's tree sketch (" + path +
                           "): " + std::strerror(errno));
    }
    ::unlink(path.c_str());  // gone with the process, whatever ends it
    return fd;
  }
};

TreeSketch::TreeSketch(std::size_t spill_after) : spill_after_(spill_after) {}
TreeSketch::~TreeSketch() = default;
TreeSketch::TreeSketch(TreeSketch&&) noexcept = default;
TreeSketch& TreeSketch::operator=(TreeSketch&&) noexcept = default;

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
  if (parts_.empty()) parts_.push_back(std::make_unique<Part>());
  Part& part = *parts_.back();
  Part::Tree entry{key(tree), 0, 0};
  for_each_tree_entry(raw, [&](std::string_view mode, const git_oid& id) {
    if (mode == "40000") {
      part.children.push_back(key(id));
      ++entry.child_count;
    } else if (mode != "160000") {
      part.pending.push_back(fingerprint(id));
      ++entry.blob_count;
    }
  });
  part.trees.push_back(entry);
  if (part.pending.size() > spill_after_) part.write_pending();
}

void TreeSketch::merge(TreeSketch&& other) {
  for (auto& part : other.parts_) parts_.push_back(std::move(part));
  other.parts_.clear();
}

std::unordered_set<std::uint64_t> TreeSketch::trees_leading_to(
    const std::vector<git_oid>& blobs) const {
  std::unordered_set<std::uint32_t> wanted;
  for (const git_oid& blob : blobs) wanted.insert(fingerprint(blob));
  std::unordered_set<std::uint64_t> leading;
  if (wanted.empty()) return leading;
  std::vector<std::vector<bool>> done;
  for (const auto& part : parts_) {
    std::vector<bool>& part_done = done.emplace_back(part->trees.size(), false);
    std::size_t i = 0;
    part->for_each_tree([&](const Part::Tree& tree, const std::uint32_t* fingerprints) {
      for (std::uint32_t b = 0; b < tree.blob_count; ++b) {
        if (wanted.count(fingerprints[b]) != 0) {
          leading.insert(tree.key);
          part_done[i] = true;
          break;
        }
      }
      ++i;
    });
  }
  // Upwards, until nothing changes: a tree leads to a target if a subtree does.
  // Each round climbs one level; trees are a few dozen levels deep at most.
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      const Part& part = *parts_[p];
      std::size_t child = 0;
      for (std::size_t i = 0; i < part.trees.size(); ++i) {
        const Part::Tree& tree = part.trees[i];
        const std::size_t first = child;
        child += tree.child_count;
        if (done[p][i]) continue;
        for (std::size_t c = first; c < child; ++c) {
          if (leading.count(part.children[c]) != 0) {
            leading.insert(tree.key);
            done[p][i] = grew = true;
            break;
          }
        }
      }
    }
  }
  return leading;
}

}  // namespace keysweep
