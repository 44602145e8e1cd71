#include "git/git_blobs.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
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

/// A ref whose target, once tags are peeled, is a tree or a blob: it has no
/// history, but everyone who clones the ref gets the object.
struct TaggedObject {
  std::string ref;  // the full ref name, "refs/tags/..."
  git_oid id;
  git_object_t type;
};

/// What the refs (and HEAD) point to, tags peeled (a tag of a tag too): the
/// commits to walk, and the trees and blobs that refs reach without a commit.
/// Every ref counts, notes and the stash included. An unborn HEAD has nothing.
struct RefTargets {
  std::vector<git_oid> commits;
  std::vector<TaggedObject> others;  // sorted by ref name
};

RefTargets ref_targets(git_repository* repository) {
  git_reference_iterator* raw_iterator = nullptr;
  if (git_reference_iterator_new(&raw_iterator, repository) != 0) {
    throw RuntimeFailure("cannot list references: " + git_error_text());
  }
  ReferenceIteratorPtr iterator(raw_iterator);
  RefTargets targets;
  git_reference* raw = nullptr;
  while (git_reference_next(&raw, iterator.get()) == 0) {
    ReferencePtr reference(raw);
    git_object* target = nullptr;
    // GIT_OBJECT_ANY peels tags until something that is not a tag.
    if (git_reference_peel(&target, reference.get(), GIT_OBJECT_ANY) != 0) continue;
    ObjectPtr object(target);
    git_object_t type = git_object_type(object.get());
    if (type == GIT_OBJECT_COMMIT) {
      targets.commits.push_back(*git_object_id(object.get()));
    } else if (type == GIT_OBJECT_TREE || type == GIT_OBJECT_BLOB) {
      targets.others.push_back(
          {git_reference_name(reference.get()), *git_object_id(object.get()), type});
    }
  }
  git_oid head;  // a detached HEAD is not under refs/
  if (git_reference_name_to_id(&head, repository, "HEAD") == 0) targets.commits.push_back(head);
  std::sort(targets.others.begin(), targets.others.end(),
            [](const TaggedObject& a, const TaggedObject& b) { return a.ref < b.ref; });
  return targets;
}

/// The commits a shallow clone was cut at (their parents are absent by design).
OidSet shallow_boundary(git_repository* repository) {
  OidSet boundary;
  std::ifstream file(std::string(git_repository_path(repository)) + "shallow");
  std::string line;
  git_oid id;
  while (std::getline(file, line)) {
    if (git_oid_fromstrn(&id, line.c_str(), std::min<std::size_t>(line.size(), GIT_OID_HEXSZ)) ==
        0) {
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

using CommitNodes = std::unordered_map<git_oid, CommitNode, OidHash, OidEqual>;

/// A commit's node: its tree, and every parent present in the repository,
/// walked or not (a range diffs against them all). An absent parent counts as
/// missing unless the shallow file says the clone was cut there.
CommitNode commit_node(const git_oid& id, git_commit* commit, git_odb* odb, const OidSet& boundary,
                       GitWalkStats& stats) {
  CommitNode node{id, *git_commit_tree_id(commit), git_commit_time(commit), {}};
  for (unsigned n = 0; n < git_commit_parentcount(commit); ++n) {
    const git_oid& parent = *git_commit_parent_id(commit, n);
    if (git_odb_exists(odb, &parent)) {
      node.parents.push_back(parent);
    } else if (boundary.count(id) == 0) {
      ++stats.missing_objects;
    }
  }
  return node;
}

/// `nodes` parents before children (oldest first among those ready), by
/// Kahn's algorithm: a commit is ready once all its parents among `nodes` are out.
std::vector<CommitNode> parents_first(const CommitNodes& nodes, GitWalkStats& stats) {
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

/// The commits reachable from `tips` and not from `hidden`, parents first.
/// libgit2 1.5's revwalk fails outright at a shallow clone's boundary, so the
/// graph is walked here: an absent parent simply ends the walk on that side.
std::vector<CommitNode> commits_parents_first(git_repository* repository,
                                              const std::vector<git_oid>& tips,
                                              const std::vector<git_oid>& hidden,
                                              GitWalkStats& stats) {
  const OidSet boundary = shallow_boundary(repository);
  OdbPtr odb = repository_odb(repository);
  // Visits ancestors depth-first; `visit` returns false to not go further up.
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

  CommitNodes nodes;
  OidSet seen = excluded;
  ancestors(tips, seen, [&](const git_oid& id, git_commit* commit) {
    nodes.emplace(id, commit_node(id, commit, odb.get(), boundary, stats));
    return true;
  });
  return parents_first(nodes, stats);
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

/// The commit `spec` names; `option` (the flag it came from) heads the error.
CommitPtr resolve_commit(git_repository* repository, const std::string& spec, const char* option) {
  git_object* object = nullptr;
  if (git_revparse_single(&object, repository, spec.c_str()) != 0) {
    throw UsageError(std::string(option) + ": '" + spec +
                     "' does not name a commit: " + git_error_text());
  }
  ObjectPtr resolved(object);
  git_object* commit = nullptr;
  if (git_object_peel(&commit, resolved.get(), GIT_OBJECT_COMMIT) != 0) {
    throw UsageError(std::string(option) + ": '" + spec + "' is not a commit");
  }
  return CommitPtr(reinterpret_cast<git_commit*>(commit));
}

/// The commits of a range, parents first.
std::vector<CommitNode> range_commits(git_repository* repository, const std::string& range,
                                      GitWalkStats& stats) {
  std::string from = range, to = "HEAD";
  if (std::size_t dots = range.find(".."); dots != std::string::npos) {
    if (range.find("...") != std::string::npos) {
      throw UsageError("--range: '" + range +
                       "': use A..B (symmetric A...B ranges are not supported)");
    }
    from = range.substr(0, dots);
    to = range.substr(dots + 2);
    if (to.empty()) to = "HEAD";
  }
  // "..B" (empty A): every commit B reaches.
  std::vector<git_oid> hidden;
  if (!from.empty())
    hidden.push_back(*git_commit_id(resolve_commit(repository, from, "--range").get()));
  CommitPtr to_commit = resolve_commit(repository, to, "--range");
  return commits_parents_first(repository, {*git_commit_id(to_commit.get())}, hidden, stats);
}

/// Exactly the listed commits, parents first; each still diffs against all its parents.
std::vector<CommitNode> listed_commits(git_repository* repository,
                                       const std::vector<std::string>& listed,
                                       GitWalkStats& stats) {
  const OidSet boundary = shallow_boundary(repository);
  OdbPtr odb = repository_odb(repository);
  CommitNodes nodes;
  for (const std::string& spec : listed) {
    CommitPtr commit = resolve_commit(repository, spec, "--commits-from");
    const git_oid& id = *git_commit_id(commit.get());
    if (nodes.count(id) == 0)
      nodes.emplace(id, commit_node(id, commit.get(), odb.get(), boundary, stats));
  }
  return parents_first(nodes, stats);
}

/// What one commit adds to one path: the new blob and the added lines (1-based, sorted).
struct FileAdditions {
  git_oid blob;
  std::vector<std::uint32_t> lines;
};
using AddedLinesByPath = std::unordered_map<std::string, FileAdditions>;

/// The lines `commit_tree` adds relative to `parent_tree` (null: the empty
/// tree), by path, as `git diff -M` shows them: renames are detected, so a
/// moved file adds only its edited lines. Files that add no line (deleted,
/// pure renames, mode changes) are absent; submodules are counted and skipped.
AddedLinesByPath added_lines_by_path(git_repository* repository, git_tree* parent_tree,
                                     git_tree* commit_tree, GitWalkStats& stats) {
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.context_lines = 0;
  // Lines of every blob: what is binary is the scanner's call, made the same
  // way for every input (libgit2 would call a UTF-16 file binary).
  options.flags |= GIT_DIFF_FORCE_TEXT;
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repository, parent_tree, commit_tree, &options) != 0) {
    ++stats.missing_objects;
    return {};
  }
  DiffPtr diff(raw);
  git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
  find.flags = GIT_DIFF_FIND_RENAMES;  // git's default similarity (50%) and limits
  if (git_diff_find_similar(diff.get(), &find) != 0) ++stats.missing_objects;

  AddedLinesByPath added;
  for (std::size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->status == GIT_DELTA_DELETED) continue;
    if (delta->new_file.mode == GIT_FILEMODE_COMMIT) {
      ++stats.submodules;
      continue;
    }
    git_patch* raw_patch = nullptr;
    if (int status = git_patch_from_diff(&raw_patch, diff.get(), i); status != 0) {
      throw_unless_not_found(status, delta->new_file.id);  // damage fails the scan
      ++stats.missing_objects;                             // a partial clone's blob
      continue;
    }
    PatchPtr patch(raw_patch);
    FileAdditions file{delta->new_file.id, {}};
    for (std::size_t hunk = 0; hunk < git_patch_num_hunks(patch.get()); ++hunk) {
      int count = git_patch_num_lines_in_hunk(patch.get(), hunk);
      for (int n = 0; n < count; ++n) {
        const git_diff_line* line = nullptr;
        if (git_patch_get_line_in_hunk(&line, patch.get(), hunk, std::size_t(n)) == 0 &&
            line->origin == GIT_DIFF_LINE_ADDITION) {
          file.lines.push_back(std::uint32_t(line->new_lineno));
        }
      }
    }
    if (file.lines.empty()) continue;
    std::sort(file.lines.begin(), file.lines.end());
    added.emplace(delta->new_file.path, std::move(file));
  }
  return added;
}

/// Narrows `added` (relative to one parent) to what is also added relative
/// to another parent: a merge adds only lines that none of its parents had.
void keep_added_in_both(AddedLinesByPath& added, const AddedLinesByPath& other) {
  for (auto entry = added.begin(); entry != added.end();) {
    auto found = other.find(entry->first);
    std::vector<std::uint32_t> both;
    if (found != other.end()) {
      const std::vector<std::uint32_t>& lines = entry->second.lines;
      const std::vector<std::uint32_t>& also = found->second.lines;
      std::set_intersection(lines.begin(), lines.end(), also.begin(), also.end(),
                            std::back_inserter(both));
    }
    if (both.empty()) {
      entry = added.erase(entry);
    } else {
      entry->second.lines = std::move(both);
      ++entry;
    }
  }
}

}  // namespace

std::string object_at_path_key(const git_oid& id, std::string_view path) {
  std::string key(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
  key += path;
  return key;
}

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
    } else if (!present->contains(id)) {
      missing.insert(id);
    }
  });
}

void ObjectCensus::add_commit(std::string_view raw) {
  ++commits;
  if (raw.starts_with("tree ") && raw.size() >= 5 + GIT_OID_HEXSZ) {
    git_oid id;
    if (git_oid_fromstrn(&id, raw.data() + 5, GIT_OID_HEXSZ) == 0 && !present->contains(id)) {
      missing.insert(id);
    }
  }
}

/// The commits --branch and --since-commit select, parents first.
std::vector<CommitNode> branch_commits(git_repository* repository,
                                       const std::vector<std::string>& branches,
                                       const std::string& since_commit, GitWalkStats& stats) {
  std::vector<git_oid> tips;
  for (const std::string& branch : branches) {
    tips.push_back(*git_commit_id(resolve_commit(repository, branch, "--branch").get()));
  }
  if (branches.empty()) tips = ref_targets(repository).commits;
  std::vector<git_oid> hidden;
  if (!since_commit.empty()) {
    hidden.push_back(
        *git_commit_id(resolve_commit(repository, since_commit, "--since-commit").get()));
  }
  return commits_parents_first(repository, tips, hidden, stats);
}

void ObjectCensus::merge(ObjectCensus&& other) {
  missing.merge(other.missing);
  submodules += other.submodules;
  commits += other.commits;
}

void walk_range_blobs(git_repository* repository, const CommitSelection& selection,
                      GitWalkStats& stats, BlobPlaces& places, const BlobVisitor& visit) {
  std::vector<CommitNode> commits =
      selection.listed ? listed_commits(repository, *selection.listed, stats)
      : selection.branches
          ? branch_commits(repository, *selection.branches, selection.since_commit, stats)
          : range_commits(repository, selection.range, stats);
  OidSet seen_blobs;
  for (const CommitNode& node : commits) {
    TreePtr tree = lookup_tree(repository, node.tree);
    if (!tree) {
      ++stats.missing_objects;
      continue;
    }
    AddedLinesByPath added;
    for (std::size_t n = 0; n < std::max<std::size_t>(node.parents.size(), 1); ++n) {
      TreePtr parent_tree;
      if (!node.parents.empty()) {
        CommitPtr parent = lookup_commit(repository, node.parents[n]);
        if (parent) parent_tree = lookup_tree(repository, *git_commit_tree_id(parent.get()));
      }
      AddedLinesByPath against_parent =
          added_lines_by_path(repository, parent_tree.get(), tree.get(), stats);
      if (n == 0) {
        added = std::move(against_parent);
      } else {
        keep_added_in_both(added, against_parent);
      }
      if (added.empty()) break;  // nothing left for the other parents to narrow
    }
    std::vector<std::pair<std::string, FileAdditions>> ordered(
        std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [path, file] : ordered) {
      places[file.blob].push_back({path, node.id, std::move(file.lines)});
      if (!seen_blobs.insert(file.blob).second) continue;
      if (!visit({file.blob, path})) return;
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
  RefTargets refs = ref_targets(repository);
  // A (tree, path) seen in an earlier commit holds nothing new: skip it.
  std::unordered_set<std::string> visited_trees, recorded;
  auto enter = [&](const git_oid& id, const std::string& path) {
    if (trees_to_enter != nullptr && trees_to_enter->count(TreeSketch::key(id)) == 0) return false;
    return visited_trees.insert(object_at_path_key(id, path)).second;
  };
  for (const CommitNode& node : commits_parents_first(repository, refs.commits, {}, stats)) {
    auto on_blob = [&](const git_oid& id, std::string&& path) {
      if (wanted.count(id) != 0 && recorded.insert(object_at_path_key(id, path)).second) {
        places[id].push_back({std::move(path), node.id, std::nullopt});
      }
      return true;
    };
    walk_tree(repository, node.tree, stats, enter, on_blob);
  }
  // Blobs that only tags of trees or blobs reach: placed there, with no commit.
  if (places.size() < wanted.size()) {
    const git_oid no_commit{};
    BlobPlaces tagged;
    for (const TaggedObject& object : refs.others) {
      if (object.type == GIT_OBJECT_BLOB) {
        if (wanted.count(object.id) != 0)
          tagged[object.id].push_back({object.ref, no_commit, std::nullopt});
        continue;
      }
      // Paths start at the tagged tree's root. A (tree, path) a commit already
      // holds is skipped: its blobs have places with a commit.
      walk_tree(repository, object.id, stats, enter, [&](const git_oid& id, std::string&& path) {
        if (wanted.count(id) != 0 && recorded.insert(object_at_path_key(id, path)).second) {
          tagged[id].push_back({std::move(path), no_commit, std::nullopt});
        }
        return true;
      });
    }
    for (auto& [id, where] : tagged) places.try_emplace(id, std::move(where));
  }
  if (stats.missing_objects > 0) {
    diagnostics.warn(std::to_string(stats.missing_objects) +
                     " objects missing while tracing where findings entered history; "
                     "some provenance may be incomplete");
  }
  return places;
}

}  // namespace keysweep
