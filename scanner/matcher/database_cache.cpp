#include "matcher/database_cache.h"

#include <fcntl.h>
#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/sha256.h"

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

std::string database_cache_key(const std::vector<Anchor>& anchors) {
  std::string material = "keysweep-hsdb-v1\n";
  material += hs_version();
  material += '\n';
  for (const Anchor& anchor : anchors) {
    material += std::to_string(anchor.flags) + '\t' + anchor.expression + '\n';
  }
  return sha256_hex(material);
}

std::string read_cached_database(const std::string& cache_dir, const std::string& key) {
  if (cache_dir.empty()) return {};
  std::ifstream input(cache_dir + "/hs-" + key + ".db", std::ios::binary);
  if (!input) return {};
  std::ostringstream bytes;
  bytes << input.rdbuf();
  return bytes.str();
}

std::string write_cached_database(const std::string& cache_dir, const std::string& key,
                                  const std::string& bytes) {
  if (cache_dir.empty()) return {};
  std::error_code error;
  std::filesystem::create_directories(cache_dir, error);
  if (error) return cache_dir + ": " + error.message();
  std::string final_path = cache_dir + "/hs-" + key + ".db";
  std::string temporary = final_path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return temporary + ": " + std::strerror(errno);
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(temporary.c_str());
      return temporary + ": " + reason;
    }
    written += std::size_t(n);
  }
  ::close(fd);
  // rename() is atomic: a concurrent run sees the old file or the new one, never half of one.
  if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    return final_path + ": " + reason;
  }
  return {};
}

}  // namespace keysweep
