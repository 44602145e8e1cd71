#include "inputs/tree_walker.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "util/diagnostics.h"

namespace keysweep {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

class Walker {
 public:
  Walker(const std::string& root, const WalkScope& scope, Diagnostics& diagnostics,
         const std::function<bool(FileToScan&&)>& visit)
      : root_(root), scope_(scope), diagnostics_(diagnostics), visit_(visit) {}

  std::size_t left_out() const { return left_out_; }

  /// Returns false when the visitor asked to stop.
  bool walk_directory(const std::string& directory) {
    std::unique_ptr<DIR, DirCloser> dir(::opendir(directory.c_str()));
    if (!dir) {
      diagnostics_.warn(display(directory) + ": cannot read directory: " + std::strerror(errno));
      return true;
    }
    // Sorted, so that output and warnings are the same on every run.
    std::vector<std::pair<std::string, unsigned char>> entries;
    while (dirent* entry = ::readdir(dir.get())) {
      std::string_view name = entry->d_name;
      if (name == "." || name == ".." || name == ".git") continue;
      entries.emplace_back(std::string(name), entry->d_type);
    }
    dir.reset();
    std::sort(entries.begin(), entries.end());
    for (auto& [name, type] : entries) {
      std::string path = directory == "/" ? "/" + name : directory + "/" + name;
      if (type == DT_UNKNOWN || type == DT_LNK) type = resolve_type(path);
      if (type != DT_DIR && type != DT_REG) continue;
      std::string shown = display(path);
      if (scope_.excluded && scope_.excluded(shown, type == DT_DIR)) {
        ++left_out_;
        continue;
      }
      if (type == DT_DIR) {
        if (scope_.one_file_system && !on_device(path)) {
          ++left_out_;
          continue;
        }
        if (!walk_directory(path)) return false;
      } else if (!visit_({path, std::move(shown), false})) {
        return false;
      }
    }
    return true;
  }

  bool walk_argument(const std::string& given) {
    std::error_code error;
    std::string argument = std::filesystem::absolute(given, error).lexically_normal().string();
    if (error) argument = given;
    if (argument.size() > 1 && argument.back() == '/') argument.pop_back();
    struct stat info;
    if (::stat(argument.c_str(), &info) != 0) {
      struct stat link_info;
      bool broken_link = ::lstat(argument.c_str(), &link_info) == 0 && S_ISLNK(link_info.st_mode);
      diagnostics_.warn(given + (broken_link ? ": broken symlink" : ": ") +
                        (broken_link ? "" : std::strerror(errno)));
      return true;
    }
    if (S_ISDIR(info.st_mode)) {
      device_ = info.st_dev;
      return walk_directory(argument);
    }
    if (S_ISREG(info.st_mode)) return visit_({argument, display(argument), true});
    diagnostics_.warn(given + ": not a regular file or directory; skipped");
    return true;
  }

 private:
  /// Symlinks: a link to a file is scanned as that file; a link to a directory
  /// is not followed (it could loop, or leave the tree); a broken one is a warning.
  unsigned char resolve_type(const std::string& path) {
    struct stat link_info;
    if (::lstat(path.c_str(), &link_info) != 0) {
      diagnostics_.warn(display(path) + ": " + std::strerror(errno));
      return DT_UNKNOWN;
    }
    if (S_ISDIR(link_info.st_mode)) return DT_DIR;
    if (S_ISREG(link_info.st_mode)) return DT_REG;
    if (!S_ISLNK(link_info.st_mode)) return DT_UNKNOWN;
    struct stat target;
    if (::stat(path.c_str(), &target) != 0) {
      diagnostics_.warn(display(path) + ": broken symlink");
      return DT_UNKNOWN;
    }
    return S_ISREG(target.st_mode) ? DT_REG : DT_UNKNOWN;
  }

  /// Whether a directory is on the file system of the PATH being walked; a
  /// mount point's own st_dev is that of what is mounted there.
  bool on_device(const std::string& path) const {
    struct stat info;
    return ::lstat(path.c_str(), &info) == 0 && info.st_dev == device_;
  }

  /// Paths are absolute and normalized from walk_argument on, so this is a substring.
  std::string display(const std::string& path) const { return display_path(path, root_); }

  const std::string& root_;
  const WalkScope& scope_;
  Diagnostics& diagnostics_;
  const std::function<bool(FileToScan&&)>& visit_;
  dev_t device_ = 0;
  std::size_t left_out_ = 0;
};

}  // namespace

std::string display_path(const std::string& absolute, const std::string& root) {
  std::string_view path = absolute;
  if (!root.empty() && path.starts_with(root)) {
    std::string_view rest = path.substr(root.size());
    if (root.back() == '/') return std::string(rest);
    if (rest.empty()) return std::string(std::filesystem::path(absolute).filename());
    if (rest.front() == '/') return std::string(rest.substr(1));
  }
  return absolute;
}

std::size_t walk_paths(const std::vector<std::string>& paths, const std::string& root,
                       const WalkScope& scope, Diagnostics& diagnostics,
                       const std::function<bool(FileToScan&&)>& visit) {
  // An argument inside another directory argument (`scan src/a.env src`) would
  // be scanned twice; the enclosing directory covers it.
  namespace fs = std::filesystem;
  std::vector<std::string> normalized;
  for (const std::string& path : paths) {
    std::error_code error;
    std::string absolute = fs::absolute(path, error).lexically_normal().string();
    if (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
    normalized.push_back(error ? path : absolute);
  }
  auto covered_by_another = [&](std::size_t index) {
    const std::string& path = normalized[index];
    std::error_code error;
    if (!fs::exists(path, error)) return false;  // walk_argument warns about it
    for (std::size_t other = 0; other < normalized.size(); ++other) {
      const std::string& directory = normalized[other];
      if (path == directory) {
        if (other < index) return true;  // the same argument twice
        continue;
      }
      bool inside =
          path.starts_with(directory) && (directory == "/" || path[directory.size()] == '/');
      if (inside && fs::is_directory(directory, error)) return true;
    }
    return false;
  };
  Walker walker(root, scope, diagnostics, visit);
  for (std::size_t index = 0; index < paths.size(); ++index) {
    if (covered_by_another(index)) continue;
    if (!walker.walk_argument(paths[index])) break;
  }
  return walker.left_out();
}

}  // namespace keysweep
