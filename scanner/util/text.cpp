#include "util/text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace keysweep {

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return std::nullopt;
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string mebibytes(std::size_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

std::string read_input_file(const std::string& path, std::size_t limit, const char* what) {
  const std::string prefix = path + ": ";
  auto refuse_kind = [&](mode_t mode) {
    throw UsageError(prefix + "the " + what + " must be a regular file, and this is " +
                     kind_of(mode));
  };
  auto refuse_size = [&](std::size_t size) {
    throw UsageError(prefix + "the " + what + " is " + std::to_string(size) + " bytes, over the " +
                     mebibytes(limit) + " limit for a " + what);
  };
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    throw UsageError(prefix + "cannot read the " + what + ": " + std::strerror(errno));
  }
  // Checked before open(): opening a FIFO would wait for a writer.
  if (!S_ISREG(status.st_mode)) refuse_kind(status.st_mode);
  if (std::size_t(status.st_size) > limit) refuse_size(std::size_t(status.st_size));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw UsageError(prefix + "cannot read the " + what + ": " + std::strerror(errno));
  // The path may have been replaced since stat(); what was opened counts.
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(fd);
    refuse_kind(status.st_mode);
  }
  std::string text(std::min(std::size_t(status.st_size), limit) + 1, '\0');
  std::size_t filled = 0;
  // Reads at most limit + 1 bytes, so a file that grows is still bounded.
  while (filled <= limit) {
    if (filled == text.size()) text.resize(std::min(text.size() * 2, limit + 1));
    ssize_t got = ::read(fd, text.data() + filled, text.size() - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      throw UsageError(prefix + "cannot read the " + what + ": " + std::strerror(error));
    }
    if (got == 0) break;
    filled += std::size_t(got);
  }
  ::close(fd);
  if (filled > limit) refuse_size(filled);
  text.resize(filled);
  return text;
}

std::string ascii_lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

void split_name_words(std::string_view name, std::vector<std::string>& words) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string word;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!lower(c) && !upper(c) && !digit(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    // A hump: "apiKey" splits before K; "APIKey" splits before K (the last
    // capital of a run that a lowercase letter follows).
    bool hump = !word.empty() && upper(c) &&
                (lower(name[i - 1]) || digit(name[i - 1]) ||
                 (upper(name[i - 1]) && i + 1 < name.size() && lower(name[i + 1])));
    if (hump) {
      words.push_back(std::move(word));
      word.clear();
    }
    word.push_back(upper(c) ? char(c - 'A' + 'a') : c);
  }
  if (!word.empty()) words.push_back(std::move(word));
}

std::string trim_line_ends(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace keysweep
