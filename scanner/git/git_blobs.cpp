#include "git/git_blobs.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "git/git_handles.h"
#include "util/diagnostics.h"
#include "util/error.h"

namespace keysweep {
namespace {

/// Pushes the commit each ref (and HEAD) points to, peeling tags.
/// Refs to trees or blobs, and an unborn HEAD, have no history to walk.
void push_every_ref(git_repository* repository, git_revwalk* walk) {
  git_reference_iterator* raw_iterator = nullptr;
  if (git_reference_iterator_new(&raw_iterator, repository) != 0) {
    throw RuntimeFailure("cannot list references: " + git_error_text());
  }
  ReferenceIteratorPtr iterator(raw_iterator);
  git_reference* raw = nullptr;
  while (git_reference_next(&raw, iterator.get()) == 0) {
    ReferencePtr reference(raw);
    git_object* target = nullptr;
    if (git_reference_peel(&target, reference.get(), GIT_OBJECT_COMMIT) == 0) {
      ObjectPtr commit(target);
      git_revwalk_push(walk, git_object_id(commit.get()));
    }
  }
  git_revwalk_push_head(walk);  // a detached HEAD is not under refs/
}

RevwalkPtr new_revwalk(git_repository* repository, unsigned sorting) {
  git_revwalk* walk = nullptr;
  if (git_revwalk_new(&walk, repository) != 0) {
    throw RuntimeFailure("cannot walk history: " + git_error_text());
  }
  git_revwalk_sorting(walk, sorting);
  return RevwalkPtr(walk);
}

/// Walks commits; returns the tree of each, or counts it missing.
template <typename OnCommit>
void for_each_commit(git_repository* repository, git_revwalk* walk, GitWalkStats& stats,
                     OnCommit&& on_commit) {
  git_oid commit_id;
  while (true) {
    int status = git_revwalk_next(&commit_id, walk);
    if (status == GIT_ITEROVER) break;
    if (status != 0) {  // a missing parent (shallow or partial clone): nothing further to walk
      ++stats.missing_objects;
      break;
    }
    ++stats.commits;
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repository, &commit_id) != 0) {
      ++stats.missing_objects;
      continue;
    }
    CommitPtr commit(raw);
    if (!on_commit(commit_id, commit.get())) return;
  }
}

/// Depth-first over a tree, skipping subtrees `enter` refuses.
/// on_blob(id, path) returns false to stop; the function then returns false.
template <typename Enter, typename OnBlob>
bool walk_tree(git_repository* repository, const git_oid& root, GitWalkStats& stats, Enter&& enter,
               OnBlob&& on_blob) {
  std::vector<std::pair<git_oid, std::string>> stack;
  if (enter(root, std::string())) stack.emplace_back(root, std::string());
  while (!stack.empty()) {
    auto [tree_id, prefix] = std::move(stack.back());
    stack.pop_back();
    git_tree* raw = nullptr;
    if (git_tree_lookup(&raw, repository, &tree_id) != 0) {
      ++stats.missing_objects;
      continue;
    }
    TreePtr tree(raw);
    std::size_t count = git_tree_entrycount(tree.get());
    for (std::size_t i = 0; i < count; ++i) {
      const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);
      const git_oid* id = git_tree_entry_id(entry);
      std::string path = prefix + git_tree_entry_name(entry);
      switch (git_tree_entry_type(entry)) {
        case GIT_OBJECT_BLOB:
          if (!on_blob(*id, std::move(path))) return false;
          break;
        case GIT_OBJECT_TREE:
          path.push_back('/');
          if (enter(*id, path)) stack.emplace_back(*id, std::move(path));
          break;
        case GIT_OBJECT_COMMIT:
          ++stats.submodules;
          break;
        default:
          break;
      }
    }
  }
  return true;
}

std::string key_of(const git_oid& id, std::string_view path) {
  std::string key(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
  key += path;
  return key;
}

ObjectPtr resolve_commit(git_repository* repository, const std::string& spec) {
  git_object* object = nullptr;
  if (git_revparse_single(&object, repository, spec.c_str()) != 0) {
    throw UsageError("--range: '" + spec + "' does not name a commit: " + git_error_text());
  }
  ObjectPtr resolved(object);
  git_object* commit = nullptr;
  if (git_object_peel(&commit, resolved.get(), GIT_OBJECT_COMMIT) != 0) {
    throw UsageError("--range: '" + spec + "' is not a commit");
  }
  return ObjectPtr(commit);
}

/// (path -> blob) of the blobs `commit_tree` adds or changes relative to `parent_tree`.
std::unordered_map<std::string, git_oid> changed_blobs(git_repository* repository,
                                                       git_tree* parent_tree, git_tree* commit_tree,
                                                       GitWalkStats& stats) {
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.flags |= GIT_DIFF_SKIP_BINARY_CHECK;  // OIDs are enough; contents are read later
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repository, parent_tree, commit_tree, &options) != 0) {
    ++stats.missing_objects;
    return {};
  }
  DiffPtr diff(raw);
  std::unordered_map<std::string, git_oid> changed;
  for (std::size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->status == GIT_DELTA_DELETED) continue;
    if (delta->new_file.mode == GIT_FILEMODE_COMMIT) {
      ++stats.submodules;
      continue;
    }
    changed.emplace(delta->new_file.path, delta->new_file.id);
  }
  return changed;
}

TreePtr commit_tree(git_commit* commit) {
  git_tree* tree = nullptr;
  if (git_commit_tree(&tree, commit) != 0) return nullptr;
  return TreePtr(tree);
}

}  // namespace

std::vector<git_oid> list_objects(git_odb* odb) {
  std::vector<git_oid> ids;
  auto collect = [](const git_oid* id, void* payload) {
    static_cast<std::vector<git_oid>*>(payload)->push_back(*id);
    return 0;
  };
  if (git_odb_foreach(odb, collect, &ids) != 0) {
    throw RuntimeFailure("cannot list the object database: " + git_error_text());
  }
  // A multi-pack or alternates layout can list an object twice; keep the first.
  OidSet seen;
  std::erase_if(ids, [&](const git_oid& id) { return !seen.insert(id).second; });
  return ids;
}

void ObjectCensus::add_tree(std::string_view raw) {
  while (!raw.empty()) {
    std::size_t space = raw.find(' ');
    std::size_t nul = raw.find('\0', space);
    if (space == std::string_view::npos || nul == std::string_view::npos ||
        raw.size() < nul + 1 + GIT_OID_RAWSZ) {
      return;  // malformed: what was parsed stands
    }
    std::string_view mode = raw.substr(0, space);
    git_oid id;
    git_oid_fromraw(&id, reinterpret_cast<const unsigned char*>(raw.data() + nul + 1));
    if (mode == "160000") {
      ++submodules;
    } else {
      referenced.insert(id);
    }
    raw.remove_prefix(nul + 1 + GIT_OID_RAWSZ);
  }
}

void ObjectCensus::add_commit(std::string_view raw) {
  ++commits;
  if (raw.starts_with("tree ") && raw.size() >= 5 + GIT_OID_HEXSZ) {
    git_oid id;
    if (git_oid_fromstrn(&id, raw.data() + 5, GIT_OID_HEXSZ) == 0) referenced.insert(id);
  }
}

void ObjectCensus::merge(ObjectCensus&& other) {
  if (referenced.size() < other.referenced.size()) std::swap(referenced, other.referenced);
  referenced.merge(other.referenced);
  submodules += other.submodules;
  commits += other.commits;
}

void walk_range_blobs(git_repository* repository, const std::string& range, GitWalkStats& stats,
                      BlobPlaces& places, const BlobVisitor& visit) {
  std::string from = range, to = "HEAD";
  if (std::size_t dots = range.find(".."); dots != std::string::npos) {
    if (range.find("...") != std::string::npos) {
      throw UsageError("--range: '" + range + "': use A..B (symmetric A...B ranges are not supported)");
    }
    from = range.substr(0, dots);
    to = range.substr(dots + 2);
    if (to.empty()) to = "HEAD";
  }
  ObjectPtr from_commit = resolve_commit(repository, from);
  ObjectPtr to_commit = resolve_commit(repository, to);

  RevwalkPtr walk = new_revwalk(repository, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  git_revwalk_push(walk.get(), git_object_id(to_commit.get()));
  git_revwalk_hide(walk.get(), git_object_id(from_commit.get()));

  OidSet seen_blobs;
  for_each_commit(repository, walk.get(), stats, [&](const git_oid& commit_id, git_commit* commit) {
    TreePtr tree = commit_tree(commit);
    if (!tree) {
      ++stats.missing_objects;
      return true;
    }
    unsigned parents = git_commit_parentcount(commit);
    std::unordered_map<std::string, git_oid> changed;
    for (unsigned n = 0; n < std::max(parents, 1u); ++n) {
      TreePtr parent_tree;
      if (parents > 0) {
        git_commit* parent = nullptr;
        if (git_commit_parent(&parent, commit, n) != 0) {
          ++stats.missing_objects;
          continue;
        }
        CommitPtr parent_commit(parent);
        parent_tree = commit_tree(parent_commit.get());
      }
      auto against_parent = changed_blobs(repository, parent_tree.get(), tree.get(), stats);
      if (n == 0) {
        changed = std::move(against_parent);
        continue;
      }
      // A merge introduces only what matches none of its parents.
      std::erase_if(changed, [&](const auto& entry) {
        auto other = against_parent.find(entry.first);
        return other == against_parent.end() || !git_oid_equal(&other->second, &entry.second);
      });
    }
    std::vector<std::pair<std::string, git_oid>> ordered(changed.begin(), changed.end());
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [path, blob] : ordered) {
      places[blob].push_back({path, commit_id});
      if (!seen_blobs.insert(blob).second) continue;
      if (!visit({blob, path})) return false;
    }
    return true;
  });
}

std::vector<StagedBlob> staged_blobs(git_repository* repository, GitWalkStats& stats) {
  git_index* raw_index = nullptr;
  if (git_repository_index(&raw_index, repository) != 0) {
    throw RuntimeFailure("cannot read the index: " + git_error_text());
  }
  IndexPtr index(raw_index);
  TreePtr head_tree;
  git_object* head = nullptr;
  if (git_revparse_single(&head, repository, "HEAD^{tree}") == 0) {
    head_tree.reset(reinterpret_cast<git_tree*>(head));
  }  // else: no commit yet, and everything staged is new

  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.context_lines = 0;
  git_diff* raw_diff = nullptr;
  if (git_diff_tree_to_index(&raw_diff, repository, head_tree.get(), index.get(), &options) != 0) {
    throw RuntimeFailure("cannot compare the index with HEAD: " + git_error_text());
  }
  DiffPtr diff(raw_diff);

  std::vector<StagedBlob> staged;
  for (std::size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->status == GIT_DELTA_DELETED) continue;
    if (delta->new_file.mode == GIT_FILEMODE_COMMIT) {
      ++stats.submodules;
      continue;
    }
    StagedBlob blob{{delta->new_file.id, delta->new_file.path}, {}};
    git_patch* raw_patch = nullptr;
    if (git_patch_from_diff(&raw_patch, diff.get(), i) != 0) {
      ++stats.missing_objects;
      continue;
    }
    PatchPtr patch(raw_patch);
    for (std::size_t hunk = 0; hunk < git_patch_num_hunks(patch.get()); ++hunk) {
      int lines = git_patch_num_lines_in_hunk(patch.get(), hunk);
      for (int n = 0; n < lines; ++n) {
        const git_diff_line* line = nullptr;
        if (git_patch_get_line_in_hunk(&line, patch.get(), hunk, std::size_t(n)) == 0 &&
            line->origin == GIT_DIFF_LINE_ADDITION) {
          blob.added_lines.push_back(std::uint32_t(line->new_lineno));
        }
      }
    }
    std::sort(blob.added_lines.begin(), blob.added_lines.end());
    staged.push_back(std::move(blob));
  }
  return staged;
}

BlobPlaces find_blob_provenance(git_repository* repository, const std::vector<git_oid>& targets,
                                Diagnostics& diagnostics) {
  BlobPlaces places;
  if (targets.empty()) return places;
  OidSet wanted(targets.begin(), targets.end());
  GitWalkStats stats;
  RevwalkPtr walk = new_revwalk(repository, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE);
  push_every_ref(repository, walk.get());
  // A (tree, path) seen in an earlier commit holds nothing new: skip it.
  std::unordered_set<std::string> visited_trees, recorded;
  for_each_commit(repository, walk.get(), stats, [&](const git_oid& commit_id, git_commit* commit) {
    auto enter = [&](const git_oid& id, const std::string& path) {
      return visited_trees.insert(key_of(id, path)).second;
    };
    auto on_blob = [&](const git_oid& id, std::string&& path) {
      if (wanted.count(id) != 0 && recorded.insert(key_of(id, path)).second) {
        places[id].push_back({std::move(path), commit_id});
      }
      return true;
    };
    return walk_tree(repository, *git_commit_tree_id(commit), stats, enter, on_blob);
  });
  if (stats.missing_objects > 0) {
    diagnostics.warn(std::to_string(stats.missing_objects) +
                     " objects missing while tracing where findings entered history; "
                     "some provenance may be incomplete");
  }
  return places;
}

}  // namespace keysweep
