#include "matcher/database_cache.h"

#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "util/error.h"
#include "util/safe_write.h"
#include "util/sha256.h"
#include "util/text.h"

namespace keysweep {

std::string default_cache_dir() {
  if (const char* dir = std::getenv("KEYSWEEP_CACHE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/keysweep";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.cache/keysweep";
  }
  return {};
}

namespace {
constexpr std::string_view kEntryMagic = "keysweep-hsdb-v4\n";

std::string entry_path(const std::string& cache_dir, const std::string& key) {
  return cache_dir + "/hs-" + key + ".db";
}
}  // namespace

std::string database_cache_key(const std::vector<Anchor>& anchors, const Ruleset& ruleset) {
  std::string material(kEntryMagic);
  material += hs_version();
  material += '\n';
  for (const Anchor& anchor : anchors) {
    material += std::to_string(int(anchor.kind)) + '\t' + std::to_string(anchor.target) + '\t' +
                std::to_string(anchor.flags) + '\t' + anchor.expression + '\n';
  }
  for (const Rule& rule : ruleset.rules) {
    material += std::to_string(rule.secret_group) + '\t' + rule.regex + '\n';
  }
  return sha256_hex(material);
}

std::string screen_cache_key(const std::string& regex) {
  return "screen-" + sha256_hex(std::string("screen\n") + hs_version() + '\n' + regex);
}

std::string encode_cache_entry(const std::vector<Anchor>& anchors,
                               const std::vector<std::string_view>& databases) {
  std::string entry(kEntryMagic);
  entry += std::to_string(anchors.size()) + '\n';
  for (const Anchor& anchor : anchors) {
    entry += std::to_string(anchor.back) + ' ' + std::to_string(anchor.forward) + ' ' +
             std::to_string(int(anchor.triggered)) + '\n';
  }
  entry += std::to_string(databases.size());
  for (std::string_view database : databases) entry += ' ' + std::to_string(database.size());
  entry += '\n';
  for (std::string_view database : databases) entry += database;
  return entry;
}

bool decode_cache_entry(const std::string& entry, std::vector<Anchor>& anchors,
                        std::vector<std::string_view>& databases) {
  std::istringstream header(entry);
  std::string magic;
  std::size_t count = 0;
  if (!std::getline(header, magic) || magic + '\n' != kEntryMagic || !(header >> count) ||
      count != anchors.size()) {
    return false;
  }
  struct Window {
    std::size_t back, forward;
    int triggered;
  };
  std::vector<Window> windows(count);
  for (Window& window : windows) {
    if (!(header >> window.back >> window.forward >> window.triggered)) return false;
  }
  std::size_t database_count = 0;
  if (!(header >> database_count) || database_count == 0 || database_count > count + 1) {
    return false;
  }
  std::vector<std::size_t> sizes(database_count);
  for (std::size_t& size : sizes) {
    if (!(header >> size)) return false;
  }
  header.get();  // the newline before the databases
  std::streamoff offset = header.tellg();
  if (offset <= 0) return false;
  std::size_t position = std::size_t(offset);
  databases.clear();
  for (std::size_t size : sizes) {
    if (size == 0 || size > entry.size() - position) return false;
    databases.push_back(std::string_view(entry).substr(position, size));
    position += size;
  }
  if (position != entry.size()) return false;
  for (std::size_t i = 0; i < count; ++i) {
    anchors[i].back = windows[i].back;
    anchors[i].forward = windows[i].forward;
    anchors[i].triggered = windows[i].triggered != 0;
  }
  return true;
}

std::string read_cached_database(const std::string& cache_dir, const std::string& key) {
  if (cache_dir.empty()) return {};
  // An entry is ours to rebuild: anything but a regular file of a report's
  // size at most (a symlink to /dev/zero, a FIFO, a directory) is a miss,
  // never an unbounded read or a wait.
  std::string bytes;
  try {
    bytes = read_input_file(entry_path(cache_dir, key), kReportFileLimit, "cache entry");
  } catch (const UsageError&) {
    return {};
  }
  // An entry starts with its own key: one copied or renamed over another's
  // name (a screen of another rule, which would rule out this rule's windows) is a miss.
  const std::string header = key + '\n';
  if (!bytes.starts_with(header)) return {};
  return bytes.substr(header.size());
}

std::string write_cached_database(const std::string& cache_dir, const std::string& key,
                                  const std::string& bytes) {
  if (cache_dir.empty()) return {};
  try {
    create_directories(cache_dir, 0700);
    const std::string path = entry_path(cache_dir, key);
    // The entry is ours: a FIFO, a device or a symlink in its place would be
    // written through (a FIFO would block the run), so it is removed first.
    struct stat status {};
    if (::lstat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode) &&
        !S_ISDIR(status.st_mode)) {
      ::unlink(path.c_str());
    }
    // Written beside its name and renamed: a concurrent run sees the old entry or the new one.
    write_file_safely(path, key + '\n' + bytes, FileAccess::owner_only);
  } catch (const std::exception& failure) {
    return failure.what();
  }
  return {};
}

}  // namespace keysweep
