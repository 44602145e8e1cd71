#pragma once
// Paths that mean the same from any directory: a finding's path is relative
// to the scan root, but allowlists are anchored where .keysweep.toml lives and
// baselines and SARIF name paths from the repository's top level.

#include <optional>
#include <string>
#include <string_view>

namespace keysweep {

/// Re-expresses paths relative to one directory as paths relative to
/// another, lexically (no file system access per path). Both directories
/// are absolute; an empty one makes this the identity.
class PathRebase {
 public:
  PathRebase() = default;
  PathRebase(const std::string& from_directory, const std::string& to_directory);

  /// `path` (relative to from_directory, or absolute; forward slashes) as a
  /// path relative to to_directory; nullopt when it lies outside it.
  std::optional<std::string> operator()(std::string_view path) const;

  bool is_identity() const { return from_.empty() || from_ == to_; }

 private:
  std::string from_;
  std::string to_;
};

/// The top directory of the git work tree holding `directory` (the nearest
/// one upwards with a `.git` entry, as in a submodule or a linked worktree);
/// "" outside any.
std::string work_tree_top(const std::string& directory);

/// A gitignore-style glob as an RE2 regex over forward-slash relative paths:
/// `*.lock` at any depth, `/build` or `docs/*.md` anchored at the root,
/// `**` across directories, a trailing `/` for a directory and what is in it.
std::string glob_to_regex(const std::string& glob);

}  // namespace keysweep
