#include "git/gitignore.h"

#include <git2.h>

#include "util/error.h"

namespace keysweep {

std::optional<GitIgnoreRules> GitIgnoreRules::for_directory(const std::string& directory) {
  ensure_libgit2();
  git_repository* repository = nullptr;
  if (git_repository_open_ext(&repository, directory.c_str(), 0, nullptr) != 0) return std::nullopt;
  RepositoryPtr owned(repository);
  const char* work_tree = git_repository_workdir(repository);
  if (work_tree == nullptr) return std::nullopt;  // a bare repository has no .gitignore to honour
  return GitIgnoreRules(std::move(owned), work_tree);
}

bool GitIgnoreRules::ignored(const std::string& absolute_path, bool directory) const {
  if (!absolute_path.starts_with(work_tree_)) return false;
  // libgit2 tells a directory from a file by its trailing slash.
  std::string relative = absolute_path.substr(work_tree_.size()) + (directory ? "/" : "");
  int ignored = 0;
  if (git_ignore_path_is_ignored(&ignored, repository_.get(), relative.c_str()) != 0) {
    throw RuntimeFailure(absolute_path +
                         ": cannot read the .gitignore rules that apply: " + git_error_text());
  }
  return ignored != 0;
}

}  // namespace keysweep
