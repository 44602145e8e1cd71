// Replays the fuzz corpora (tests/fuzz/corpus/<target>) and every input that
// once crashed a parser (tests/fuzz/regressions/<target>) through the fuzz
// targets themselves, so a fixed crash stays fixed in the normal build, where
// the sanitizer CI run checks them for memory errors and UB too.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../fuzz/fuzz_targets.h"

namespace {

namespace fs = std::filesystem;

struct Target {
  const char* name;
  void (*run)(std::string_view);
};

constexpr Target kTargets[] = {
    {"rules", keysweep::fuzz::rules},
    {"project_config", keysweep::fuzz::project_config},
    {"baseline", keysweep::fuzz::baseline},
    {"api_response", keysweep::fuzz::api_response},
    {"scan_report", keysweep::fuzz::scan_report},
    {"staged_diff", keysweep::fuzz::staged_diff},
    {"raw_tree", keysweep::fuzz::raw_tree},
    {"matcher", keysweep::fuzz::matcher},
};

std::vector<fs::path> inputs_in(const fs::path& directory) {
  std::vector<fs::path> files;
  if (!fs::is_directory(directory)) return files;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const Target& target, const std::vector<fs::path>& files) {
  for (const fs::path& file : files) {
    INFO(file.string());
    target.run(file_bytes(file));  // a crash or an unexpected exception fails the test
  }
}

}  // namespace

TEST_CASE("every fuzz target replays its seed corpus") {
  for (const Target& target : kTargets) {
    INFO(target.name);
    std::vector<fs::path> corpus = inputs_in(fs::path(KEYSWEEP_FUZZ_DIR) / "corpus" / target.name);
    REQUIRE(!corpus.empty());
    replay(target, corpus);
  }
}

TEST_CASE("inputs that once crashed a parser no longer do") {
  for (const Target& target : kTargets) {
    INFO(target.name);
    replay(target, inputs_in(fs::path(KEYSWEEP_FUZZ_DIR) / "regressions" / target.name));
  }
}
