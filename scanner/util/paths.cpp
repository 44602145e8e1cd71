#include "util/paths.h"

#include <filesystem>

namespace keysweep {
namespace {

namespace fs = std::filesystem;

std::string normalized_directory(const std::string& directory) {
  if (directory.empty()) return directory;
  std::error_code error;
  std::string normal = fs::absolute(directory, error).lexically_normal().generic_string();
  if (error) normal = directory;
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

}  // namespace

PathRebase::PathRebase(const std::string& from_directory, const std::string& to_directory)
    : from_(normalized_directory(from_directory)), to_(normalized_directory(to_directory)) {
  if (to_.empty()) from_.clear();
}

std::optional<std::string> PathRebase::operator()(std::string_view path) const {
  if (is_identity() && !path.starts_with('/') && !path.starts_with("../") &&
      path.find("/../") == std::string_view::npos) {
    return std::string(path);
  }
  fs::path full = path.starts_with('/') ? fs::path(path) : fs::path(from_) / fs::path(path);
  std::string relative = full.lexically_normal().lexically_relative(to_).generic_string();
  if (relative.empty() || relative == "." || relative == ".." || relative.starts_with("../")) {
    return std::nullopt;
  }
  return relative;
}

std::string work_tree_top(const std::string& directory) {
  std::error_code error;
  fs::path current = fs::absolute(directory.empty() ? "." : directory, error).lexically_normal();
  if (!fs::is_directory(current, error)) current = current.parent_path();
  for (; !current.empty(); current = current.parent_path()) {
    if (fs::exists(current / ".git", error)) {
      std::string top = current.generic_string();
      while (top.size() > 1 && top.back() == '/') top.pop_back();
      return top;
    }
    if (current == current.root_path()) break;
  }
  return "";
}

std::string glob_to_regex(const std::string& glob) {
  std::string pattern = glob;
  bool directory = !pattern.empty() && pattern.back() == '/';
  while (!pattern.empty() && pattern.back() == '/') pattern.pop_back();
  // gitignore: a slash at the start or in the middle anchors at the root.
  bool anchored = pattern.find('/') != std::string::npos;
  if (!pattern.empty() && pattern.front() == '/') pattern.erase(0, 1);
  std::string regex = anchored ? "^" : "^(?:.*/)?";
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '*' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
      bool slash_after = i + 2 < pattern.size() && pattern[i + 2] == '/';
      regex += slash_after ? "(?:.*/)?" : ".*";
      i += slash_after ? 2 : 1;
    } else if (c == '*') {
      regex += "[^/]*";
    } else if (c == '?') {
      regex += "[^/]";
    } else {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) regex += '\\';
      regex += c;
    }
  }
  // A match names a file, or a directory and everything under it.
  regex += directory ? "/.*$" : "(?:/.*)?$";
  return regex;
}

}  // namespace keysweep
