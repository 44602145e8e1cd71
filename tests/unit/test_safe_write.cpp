#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "util/error.h"
#include "util/safe_write.h"
#include "util/text.h"

using namespace keysweep;
namespace fs = std::filesystem;

namespace {

struct TemporaryDirectory {
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "keysweep-unit-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  std::string path;
};

std::string contents(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

mode_t mode_of(const std::string& path) {
  struct stat status {};
  REQUIRE(::lstat(path.c_str(), &status) == 0);
  return status.st_mode;
}

bool has_temporary_files(const std::string& directory) {
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a regular file is replaced whole and keeps its mode") {
  TemporaryDirectory directory;
  std::string path = directory / "report.txt";
  write_file_safely(path, "old", FileAccess::shared);
  ::chmod(path.c_str(), 0640);
  write_file_safely(path, "new", FileAccess::shared);
  CHECK(contents(path) == "new");
  CHECK((mode_of(path) & 07777) == 0640);
  write_file_safely(path, "secret", FileAccess::owner_only);
  CHECK((mode_of(path) & 07777) == 0600);
  CHECK_FALSE(has_temporary_files(directory.path));
}

TEST_CASE("an executable file (a git hook) is created 0755 less the umask and stays executable") {
  TemporaryDirectory directory;
  std::string path = directory / "pre-commit";
  mode_t previous = ::umask(022);
  write_file_safely(path, "#!/bin/sh\n", FileAccess::executable);
  CHECK((mode_of(path) & 07777) == 0755);
  ::chmod(path.c_str(), 0640);  // an owner who took the execute bit away
  write_file_safely(path, "#!/bin/sh\nexit 0\n", FileAccess::executable);
  ::umask(previous);
  CHECK(contents(path) == "#!/bin/sh\nexit 0\n");
  CHECK((mode_of(path) & 07777) == 0740);
  CHECK_FALSE(has_temporary_files(directory.path));
}

TEST_CASE("an uncommitted write leaves the old file and no temporary") {
  TemporaryDirectory directory;
  std::string path = directory / "report.txt";
  write_file_safely(path, "old", FileAccess::shared);
  {
    SafeWriter writer(path, FileAccess::shared);
    writer.stream() << "half a report";
  }
  CHECK(contents(path) == "old");
  CHECK_FALSE(has_temporary_files(directory.path));
}

TEST_CASE("a symlink's target is written and the symlink stays") {
  TemporaryDirectory directory;
  std::string target = directory / "target.txt", link = directory / "link.txt";
  write_file_safely(target, "old", FileAccess::shared);
  fs::create_symlink("target.txt", link);
  write_file_safely(link, "new", FileAccess::shared);
  CHECK(S_ISLNK(mode_of(link)));
  CHECK(contents(target) == "new");
}

TEST_CASE("a FIFO is written in place") {
  TemporaryDirectory directory;
  std::string fifo = directory / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] { received = contents(fifo); });
  write_file_safely(fifo, "through the pipe", FileAccess::shared);
  reader.join();
  CHECK(received == "through the pipe");
  CHECK(S_ISFIFO(mode_of(fifo)));
}

TEST_CASE("read-only files and directories are refused when the writer is made") {
  TemporaryDirectory directory;
  std::string path = directory / "locked.txt";
  write_file_safely(path, "keep", FileAccess::shared);
  ::chmod(path.c_str(), 0444);
  CHECK_THROWS_AS(SafeWriter(path, FileAccess::shared), UsageError);
  CHECK(contents(path) == "keep");
  CHECK_THROWS_AS(SafeWriter(directory.path, FileAccess::shared), UsageError);
  CHECK_THROWS_AS(SafeWriter(directory / "missing/report.txt", FileAccess::shared), UsageError);
}

TEST_CASE("inputs must be regular files under their limit") {
  TemporaryDirectory directory;
  CHECK_THROWS_WITH(
      read_input_file("/dev/zero", kConfigFileLimit, "rule file"),
      Catch::Contains(
          "/dev/zero: the rule file must be a regular file, and this is a character device"));
  CHECK_THROWS_WITH(read_input_file(directory.path, kConfigFileLimit, "config file"),
                    Catch::Contains("a directory"));
  std::string small = directory / "small.toml";
  write_file_safely(small, "0123456789", FileAccess::shared);
  CHECK(read_input_file(small, 10, "rule file") == "0123456789");
  CHECK_THROWS_WITH(read_input_file(small, 9, "rule file"),
                    Catch::Contains("is 10 bytes, over the"));
}
