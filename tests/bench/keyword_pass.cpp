// The cost of one Hyperscan pass over a tree for a set of caseless literals,
// with nothing done per hit: the least any engine built on Hyperscan pays to
// know, for each file, which of a rule pack's keywords occur in it (gitleaks'
// semantics: a rule applies to a file only where one of its keywords does).
// Used by bench_keyword_floor.sh.
//
//   keyword_pass LITERALS FILES   (LITERALS: one per line; FILES: NUL-separated paths)
// Prints the median milliseconds of 7 passes over every file, each file its
// own hs_scan as keysweep scans it, with the files read into memory first.
#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: keyword_pass LITERALS FILES\n");
    return 2;
  }
  std::vector<std::string> literals;
  std::ifstream literal_file(argv[1]);
  for (std::string line; std::getline(literal_file, line);) {
    if (!line.empty()) literals.push_back(line);
  }
  std::vector<std::string> files;
  std::ifstream list(argv[2], std::ios::binary);
  for (std::string path; std::getline(list, path, '\0');) {
    std::ifstream in(path, std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<const char*> expressions;
  std::vector<unsigned> flags, ids;
  std::vector<std::size_t> lengths;
  for (unsigned id = 0; id < literals.size(); ++id) {
    expressions.push_back(literals[id].data());
    lengths.push_back(literals[id].size());
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);  // a gate needs its first hit only
    ids.push_back(id);
  }
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           unsigned(expressions.size()), HS_MODE_BLOCK, nullptr, &database,
                           &error) != HS_SUCCESS) {
    std::fprintf(stderr, "keyword_pass: %s\n", error->message);
    return 1;
  }
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(database, &scratch) != HS_SUCCESS) return 1;
  auto ignore = [](unsigned, unsigned long long, unsigned long long, unsigned, void*) { return 0; };
  std::vector<double> times;
  for (int run = 0; run < 7; ++run) {
    auto start = std::chrono::steady_clock::now();
    for (const std::string& file : files) {
      hs_scan(database, file.data(), unsigned(file.size()), 0, scratch, ignore, nullptr);
    }
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  std::printf("%.1f\n", times[times.size() / 2]);
  hs_free_scratch(scratch);
  hs_free_database(database);
  return 0;
}
