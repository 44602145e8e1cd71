// `git diff --cached` output as the pre-commit hook path parses it. Besides
// crashes, checks the parser's own contract: added lines are 1-based, sorted,
// and name lines of the content it kept.

#include <algorithm>
#include <cstdlib>
#include <string>

#include "fuzz_targets.h"
#include "git/staged_diff.h"
#include "util/error.h"

void keysweep::fuzz::staged_diff(std::string_view input) {
  StagedChanges changes;
  try {
    parse_staged_diff(std::string(input), changes);
  } catch (const UsageError&) {
    return;
  } catch (const RuntimeFailure&) {
    return;
  }
  for (const StagedFile& file : changes.files) {
    const auto lines = std::count(file.content.begin(), file.content.end(), '\n') + 1;
    if (!std::is_sorted(file.added_lines.begin(), file.added_lines.end())) std::abort();
    for (std::uint32_t line : file.added_lines) {
      if (line == 0 || line > lines) std::abort();
    }
  }
}

KEYSWEEP_FUZZ_ENTRY(staged_diff)
