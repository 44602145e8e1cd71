#pragma once
// The fuzz targets: one function per parser of outside input. Each fuzz_*.cpp
// defines one, plus libFuzzer's entry point when built as a harness
// (KEYSWEEP_LIBFUZZER); the unit tests replay the corpora and the saved
// crashing inputs through the same functions in the normal build.
//
// A target swallows UsageError and RuntimeFailure (the documented error path
// of bad input); any other exception, a crash, a leak or undefined behaviour is
// a finding.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keysweep::fuzz {

void rules(std::string_view input);           // rule TOML (load_rules_text, validate_rules)
void project_config(std::string_view input);  // .keysweep.toml
void baseline(std::string_view input);        // a baseline file
void api_response(std::string_view input);    // a Datadog key listing (JSON:API)
void scan_report(std::string_view input);     // a json scan report for `inventory audit --findings`
void staged_diff(std::string_view input);     // `git diff --cached` output
void raw_tree(std::string_view input);        // a raw git tree (and commit) object
void matcher(std::string_view input);         // any bytes, built-in rules, then build_findings

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace keysweep::fuzz

#ifdef KEYSWEEP_LIBFUZZER
#define KEYSWEEP_FUZZ_ENTRY(target)                                                   \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    keysweep::fuzz::target(keysweep::fuzz::as_text(data, size));                      \
    return 0;                                                                         \
  }
#else
#define KEYSWEEP_FUZZ_ENTRY(target)
#endif
