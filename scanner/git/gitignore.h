#pragma once
// `scan --gitignore`: the ignore rules of the git work tree that holds a tree
// scan, as git itself applies them (every .gitignore, .git/info/exclude,
// core.excludesFile), through libgit2.

#include <optional>
#include <string>

#include "git/git_handles.h"

namespace keysweep {

class GitIgnoreRules {
 public:
  /// The rules of the work tree holding `directory`; nullopt outside any.
  static std::optional<GitIgnoreRules> for_directory(const std::string& directory);

  /// Whether git ignores `absolute_path` (a file, or a directory and all it
  /// holds). Paths outside the work tree are never ignored.
  bool ignored(const std::string& absolute_path, bool directory) const;

  const std::string& work_tree() const { return work_tree_; }

 private:
  GitIgnoreRules(RepositoryPtr repository, std::string work_tree)
      : repository_(std::move(repository)), work_tree_(std::move(work_tree)) {}

  RepositoryPtr repository_;
  std::string work_tree_;  // absolute, with a trailing slash
};

}  // namespace keysweep
