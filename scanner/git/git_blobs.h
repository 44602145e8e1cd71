#pragma once
// What a git scan reads, and where it lives. Knows nothing about rules or output.
//   - history: every object of the database in storage order (list_objects),
//     with an ObjectCensus of what trees and commits reference but the
//     database lacks, and afterwards
//     the provenance of the blobs that had findings (find_blob_provenance);
//   - a commit range (A..B, or a list of commits): blobs that the commits add
//     lines to, each once, with the places (path, commit, added lines) where
//     the range introduced them;
//   (Staged changes come from git itself: see staged_diff.h.)

#include <git2.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "git/object_table.h"

namespace keysweep {

class Diagnostics;

struct OidHash {
  std::size_t operator()(const git_oid& id) const noexcept {
    std::size_t hash;
    static_assert(sizeof hash <= GIT_OID_RAWSZ);
    std::memcpy(&hash, id.id, sizeof hash);  // object ids are already uniformly distributed
    return hash;
  }
};
struct OidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const noexcept {
    return git_oid_equal(&a, &b);
  }
};

/// A blob to scan and the path it is scanned under (for path-based rules).
struct GitBlob {
  git_oid id;
  std::string path;
};

/// Where a blob lives: a path, and the commit that put it there (zero id: no
/// commit, as for a blob that only a tag reaches).
struct BlobPlace {
  std::string path;
  git_oid commit;
  /// Range scans: the lines (1-based, sorted) that `commit` adds at `path`,
  /// relative to each of its parents; only findings on them are the commit's
  /// doing. nullopt (history): the blob as a whole is what entered there.
  std::optional<std::vector<std::uint32_t>> added_lines;
};
using BlobPlaces = std::unordered_map<git_oid, std::vector<BlobPlace>, OidHash, OidEqual>;

struct GitWalkStats {
  std::size_t commits = 0;
  std::size_t submodules = 0;       // gitlinks, skipped
  std::size_t missing_objects = 0;  // commits or trees that could not be read
};

using BlobVisitor = std::function<bool(GitBlob&&)>;
using OidSet = std::unordered_set<git_oid, OidHash, OidEqual>;

/// A key for an object at a path (its 20 id bytes, then the path), to visit
/// each (tree, path) or note each (blob, name) once.
std::string object_at_path_key(const git_oid& id, std::string_view path);

/// Every object id in the object database, in storage order (pack order, then
/// loose objects): reading them in this order resolves deltas from warm caches,
/// and contiguous slices of it can be read in parallel. A multi-pack or
/// alternates layout can list an object more than once.
std::vector<git_oid> list_objects(git_odb* odb);

/// What the trees and commits of a history pass refer to that the database
/// does not hold (partial or shallow clones, damaged packs), counted without
/// a separate tree walk and without keeping every reference: each is looked
/// up in `present` as it is read.
struct ObjectCensus {
  explicit ObjectCensus(const ObjectTable& present) : present(&present) {}

  const ObjectTable* present;
  OidSet missing;              // trees and blobs named by a tree or a commit, absent
  std::size_t submodules = 0;  // gitlink entries in trees
  std::size_t commits = 0;

  /// Notes the entries of a raw tree object (see raw_tree.h).
  void add_tree(std::string_view raw);
  /// Notes the tree a raw commit object names.
  void add_commit(std::string_view raw);
  void merge(ObjectCensus&& other);
};

/// The commits a range scan covers: those of `range` ("A..B", "..B" for all
/// that B reaches, or "REV" meaning REV..HEAD), or, when `listed` is set,
/// exactly those commits (as `git rev-list` prints them, for the hooks), or,
/// when `branches` is set, history limited the way --branch and
/// --since-commit ask: the commits these refs reach (none listed: every ref
/// and HEAD), less those `since_commit` reaches.
struct CommitSelection {
  std::string range;
  std::optional<std::vector<std::string>> listed;
  std::optional<std::vector<std::string>> branches;
  std::string since_commit;
};

/// The blobs that the selected commits add lines to, each once; `places` gets
/// every (path, commit, added lines) of each. A commit's added lines are
/// those of git's diff against each parent, with renames detected (a moved
/// line is not added); for a merge, only lines added relative to every
/// parent (git's combined diff). Throws UsageError naming a revision that
/// does not name a commit.
void walk_range_blobs(git_repository* repository, const CommitSelection& selection,
                      GitWalkStats& stats, BlobPlaces& places, const BlobVisitor& visit);

/// For each target blob, every place where history first introduced it: a
/// walk of all commits that any ref reaches (branches, tags, tags of tags,
/// notes, the stash and its parents, HEAD), parents first, visiting each
/// (tree, path) once, so a (blob, path) is attributed to the first commit
/// whose tree holds it. A target no commit holds but a ref reaches through a
/// tag of a tree or a blob is placed there with no commit: at its path under
/// the tagged tree, or at the ref's name for a tagged blob.
/// `trees_to_enter`, when given, limits the walk to trees with those keys
/// (TreeSketch::trees_leading_to): trees that cannot lead to a target are
/// not read at all.
BlobPlaces find_blob_provenance(git_repository* repository, const std::vector<git_oid>& targets,
                                Diagnostics& diagnostics,
                                const std::unordered_set<std::uint64_t>* trees_to_enter = nullptr);

}  // namespace keysweep
