#include "matcher/database_cache.h"

#include <hs/hs.h>

#include <cstdlib>
#include <sstream>

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
constexpr std::string_view kEntryMagic = "keysweep-hsdb-v3\n";
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

std::string encode_cache_entry(const std::vector<Anchor>& anchors, std::string_view serialized) {
  std::string entry(kEntryMagic);
  entry += std::to_string(anchors.size()) + '\n';
  for (const Anchor& anchor : anchors) {
    entry += std::to_string(anchor.back) + ' ' + std::to_string(anchor.forward) + '\n';
  }
  entry += serialized;
  return entry;
}

bool decode_cache_entry(const std::string& entry, std::vector<Anchor>& anchors,
                        std::string_view& serialized) {
  std::istringstream header(entry);
  std::string magic;
  std::size_t count = 0;
  if (!std::getline(header, magic) || magic + '\n' != kEntryMagic || !(header >> count) ||
      count != anchors.size()) {
    return false;
  }
  std::vector<std::pair<std::size_t, std::size_t>> windows(count);
  for (auto& [back, forward] : windows) {
    if (!(header >> back >> forward)) return false;
  }
  header.get();  // the newline before the database
  std::streamoff offset = header.tellg();
  if (offset <= 0 || std::size_t(offset) >= entry.size()) return false;
  for (std::size_t i = 0; i < count; ++i) {
    anchors[i].back = windows[i].first;
    anchors[i].forward = windows[i].second;
  }
  serialized = std::string_view(entry).substr(std::size_t(offset));
  return true;
}

std::string read_cached_database(const std::string& cache_dir, const std::string& key) {
  if (cache_dir.empty()) return {};
  return read_text_file(cache_dir + "/hs-" + key + ".db").value_or("");
}

std::string write_cached_database(const std::string& cache_dir, const std::string& key,
                                  const std::string& bytes) {
  if (cache_dir.empty()) return {};
  try {
    create_directories(cache_dir, 0700);
    // Written beside its name and renamed: a concurrent run sees the old entry or the new one.
    write_file_safely(cache_dir + "/hs-" + key + ".db", bytes, FileAccess::owner_only);
  } catch (const std::exception& failure) {
    return failure.what();
  }
  return {};
}

}  // namespace keysweep
