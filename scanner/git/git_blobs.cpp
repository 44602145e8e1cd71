#include "git/git_blobs.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <queue>
#include <unordered_set>

#include "git/git_handles.h"
#include "git/raw_tree.h"
#include "git/tree_sketch.h"
#include "util/diagnostics.h"
#include "util/error.h"

namespace keysweep {
namespace {

/// "Not found" is a partial or shallow clone's normal state, and callers
/// count it; any other failure to read an object (zlib, checksum) is damage.
void throw_unless_not_found(int status, const git_oid& id) {
  if (status != GIT_ENOTFOUND) {
    throw RuntimeFailure("git object " + oid_hex(id) +
                         " cannot be read; the repository is damaged: " + git_error_text());
  }
}

TreePtr lookup_tree(git_repository* repository, const git_oid& id) {
  git_tree* tree = nullptr;
  if (int status = git_tree_lookup(&tree, repository, &id); status != 0) {
    throw_unless_not_found(status, id);
    return nullptr;
  }
  return TreePtr(tree);
}

CommitPtr lookup_commit(git_repository* repository, const git_oid& id) {
  git_commit* commit = nullptr;
  if (int status = git_commit_lookup(&commit, repository, &id); status != 0) {
    throw_unless_not_found(status, id);
    return nullptr;
  }
  return CommitPtr(commit);
}

/// The commit each ref (and HEAD) points to, peeling tags. Refs to trees or
/// blobs, and an unborn HEAD, have no history to walk.
std::vector<git_oid> ref_tips(git_repository* repository) {
  git_reference_iterator* raw_iterator = nullptr;
  if (git_reference_iterator_new(&raw_iterator, repository) != 0) {
    throw RuntimeFailure("cannot list references: " + git_error_text());
  }
  ReferenceIteratorPtr iterator(raw_iterator);
  std::vector<git_oid> tips;
  git_reference* raw = nullptr;
  while (git_reference_next(&raw, iterator.get()) == 0) {
    ReferencePtr reference(raw);
    git_object* target = nullptr;
    if (git_reference_peel(&target, reference.get(), GIT_OBJECT_COMMIT) == 0) {
      ObjectPtr commit(target);
      tips.push_back(*git_object_id(commit.get()));
    }
  }
  git_oid head;  // a detached HEAD is not under refs/
  if (git_reference_name_to_id(&head, repository, "HEAD") == 0) tips.push_back(head);
  return tips;
}

/// The commits a shallow clone was cut at (their parents are absent by design).
OidSet shallow_boundary(git_repository* repository) {
  OidSet boundary;
  std::ifstream file(std::string(git_repository_path(repository)) + "shallow");
  std::string line;
  git_oid id;
  while (std::getline(file, line)) {
    if (git_oid_fromstrn(&id, line.c_str(), std::min<std::size_t>(line.size(), GIT_OID_HEXSZ)) == 0) {
      boundary.insert(id);
    }
  }
  return boundary;
}

struct CommitNode {
  git_oid id;
  git_oid tree;
  git_time_t time;
  std::vector<git_oid> parents;  // those present in the repository, walked or not
};

/// The commits reachable from `tips` and not from `hidden`, parents before
/// children (oldest first among those ready). libgit2 1.5's revwalk fails
/// outright at a shallow clone's boundary, so the graph is walked here: an
/// absent parent simply ends the walk on that side, and counts as missing
/// unless the shallow file says it was cut there.
std::vector<CommitNode> commits_parents_first(git_repository* repository,
                                              const std::vector<git_oid>& tips,
                                              const std::vector<git_oid>& hidden,
                                              GitWalkStats& stats) {
  const OidSet boundary = shallow_boundary(repository);
  OdbPtr odb = repository_odb(repository);
  // Visits ancestors breadth-first; `visit` returns false to not go further up.
  auto ancestors = [&](const std::vector<git_oid>& starts, OidSet& seen, auto&& visit) {
    std::vector<git_oid> pending(starts.begin(), starts.end());
    while (!pending.empty()) {
      git_oid id = pending.back();
      pending.pop_back();
      if (!seen.insert(id).second) continue;
      CommitPtr commit = lookup_commit(repository, id);
      if (!commit) continue;
      if (!visit(id, commit.get())) continue;
      for (unsigned n = 0; n < git_commit_parentcount(commit.get()); ++n) {
        pending.push_back(*git_commit_parent_id(commit.get(), n));
      }
    }
  };

  OidSet excluded;
  ancestors(hidden, excluded, [](const git_oid&, git_commit*) { return true; });

  std::unordered_map<git_oid, CommitNode, OidHash, OidEqual> nodes;
  OidSet seen = excluded;
  ancestors(tips, seen, [&](const git_oid& id, git_commit* commit) {
    CommitNode node{id, *git_commit_tree_id(commit), git_commit_time(commit), {}};
    for (unsigned n = 0; n < git_commit_parentcount(commit); ++n) {
      // Every present parent, hidden or not: a range diffs against them all.
      const git_oid& parent = *git_commit_parent_id(commit, n);
      if (git_odb_exists(odb.get(), &parent)) {
        node.parents.push_back(parent);
      } else if (boundary.count(id) == 0) {
        ++stats.missing_objects;
      }
    }
    nodes.emplace(id, std::move(node));
    return true;
  });

  // Kahn's algorithm: a commit is ready once all its (present) parents are out.
  std::unordered_map<git_oid, std::vector<git_oid>, OidHash, OidEqual> children;
  std::unordered_map<git_oid, std::size_t, OidHash, OidEqual> waiting;
  for (const auto& [id, node] : nodes) {
    std::size_t count = 0;
    for (const git_oid& parent : node.parents) {
      if (nodes.count(parent) == 0) continue;
      children[parent].push_back(id);
      ++count;
    }
    waiting[id] = count;
  }
  auto later = [&](const git_oid& a, const git_oid& b) {
    const CommitNode& x = nodes.at(a);
    const CommitNode& y = nodes.at(b);
    return x.time != y.time ? x.time > y.time : git_oid_cmp(&x.id, &y.id) > 0;
  };
  std::priority_queue<git_oid, std::vector<git_oid>, decltype(later)> ready(later);
  for (const auto& [id, count] : waiting) {
    if (count == 0) ready.push(id);
  }
  std::vector<CommitNode> ordered;
  while (!ready.empty()) {
    git_oid id = ready.top();
    ready.pop();
    ordered.push_back(nodes.at(id));
    for (const git_oid& child : children[id]) {
      if (--waiting[child] == 0) ready.push(child);
    }
  }
  stats.commits = ordered.size();
  return ordered;
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
    if (int status = git_tree_lookup(&raw, repository, &tree_id); status != 0) {
      throw_unless_not_found(status, tree_id);
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

/// Calls on_file(index, delta) for each file a diff adds or changes; deleted
/// files have nothing to scan, and submodules are counted and skipped.
template <typename OnFile>
void for_each_new_file(git_diff* diff, GitWalkStats& stats, OnFile&& on_file) {
  for (std::size_t i = 0; i < git_diff_num_deltas(diff); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff, i);
    if (delta->status == GIT_DELTA_DELETED) continue;
    if (delta->new_file.mode == GIT_FILEMODE_COMMIT) {
      ++stats.submodules;
      continue;
    }
    on_file(i, *delta);
  }
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
  for_each_new_file(diff.get(), stats, [&](std::size_t, const git_diff_delta& delta) {
    changed.emplace(delta.new_file.path, delta.new_file.id);
  });
  return changed;
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
  return ids;
}

void ObjectCensus::add_tree(std::string_view raw) {
  for_each_tree_entry(raw, [this](std::string_view mode, const git_oid& id) {
    if (mode == "160000") {
      ++submodules;  // a gitlink names a commit of another repository
    } else {
      referenced.insert(id);
    }
  });
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
  // "..B" (empty A): every commit B reaches, as a hook asks for a new branch
  // whose first commit is a root.
  std::vector<git_oid> hidden;
  if (!from.empty()) hidden.push_back(*git_object_id(resolve_commit(repository, from).get()));
  ObjectPtr to_commit = resolve_commit(repository, to);

  std::vector<CommitNode> commits =
      commits_parents_first(repository, {*git_object_id(to_commit.get())}, hidden, stats);

  OidSet seen_blobs;
  for (const CommitNode& node : commits) {
    TreePtr tree = lookup_tree(repository, node.tree);
    if (!tree) {
      ++stats.missing_objects;
      continue;
    }
    std::unordered_map<std::string, git_oid> changed;
    for (std::size_t n = 0; n < std::max<std::size_t>(node.parents.size(), 1); ++n) {
      TreePtr parent_tree;
      if (!node.parents.empty()) {
        CommitPtr parent = lookup_commit(repository, node.parents[n]);
        if (parent) parent_tree = lookup_tree(repository, *git_commit_tree_id(parent.get()));
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
      places[blob].push_back({path, node.id});
      if (!seen_blobs.insert(blob).second) continue;
      if (!visit({blob, path})) return;
    }
  }
}

BlobPlaces find_blob_provenance(git_repository* repository, const std::vector<git_oid>& targets,
                                Diagnostics& diagnostics,
                                const std::unordered_set<std::uint64_t>* trees_to_enter) {
  BlobPlaces places;
  if (targets.empty()) return places;
  OidSet wanted(targets.begin(), targets.end());
  GitWalkStats stats;
  // A (tree, path) seen in an earlier commit holds nothing new: skip it.
  std::unordered_set<std::string> visited_trees, recorded;
  for (const CommitNode& node : commits_parents_first(repository, ref_tips(repository), {}, stats)) {
    auto enter = [&](const git_oid& id, const std::string& path) {
      if (trees_to_enter != nullptr && trees_to_enter->count(TreeSketch::key(id)) == 0) return false;
      return visited_trees.insert(key_of(id, path)).second;
    };
    auto on_blob = [&](const git_oid& id, std::string&& path) {
      if (wanted.count(id) != 0 && recorded.insert(key_of(id, path)).second) {
        places[id].push_back({std::move(path), node.id});
      }
      return true;
    };
    walk_tree(repository, node.tree, stats, enter, on_blob);
  }
  if (stats.missing_objects > 0) {
    diagnostics.warn(std::to_string(stats.missing_objects) +
                     " objects missing while tracing where findings entered history; "
                     "some provenance may be incomplete");
  }
  return places;
}

}  // namespace keysweep
