// Any bytes through the built-in rules, with and without a path, then into
// findings (positions, columns, snippets, redaction spans). Public matcher API
// only: its internals change independently.

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "findings/finding.h"
#include "fuzz_targets.h"
#include "matcher/matcher.h"
#include "rules/rule_loader.h"
#include "util/diagnostics.h"
#include "util/error.h"

namespace {

struct BuiltinEngine {
  BuiltinEngine() : diagnostics(true) {
    keysweep::load_builtin_rules(ruleset);
    matcher = std::make_unique<keysweep::Matcher>(ruleset, keysweep::MatcherOptions{}, diagnostics);
    scratch = matcher->make_scratch();
  }
  keysweep::Ruleset ruleset;
  keysweep::Diagnostics diagnostics;
  std::unique_ptr<keysweep::Matcher> matcher;
  keysweep::Matcher::ScratchPtr scratch;
};

void check_bounds(const std::vector<keysweep::RawMatch>& matches, std::size_t size) {
  for (const keysweep::RawMatch& match : matches) {
    if (match.match_start > match.match_end || match.match_end > size ||
        match.secret_start > match.secret_end || match.secret_end > size) {
      std::abort();
    }
  }
}

}  // namespace

void keysweep::fuzz::matcher(std::string_view input) {
  static BuiltinEngine engine;
  try {
    std::vector<RawMatch> matches;
    engine.matcher->find(input, std::nullopt, *engine.scratch, matches);
    check_bounds(matches, input.size());
    matches.clear();
    const std::string path = "config/app.env";
    engine.matcher->find(input, path, *engine.scratch, matches);
    check_bounds(matches, input.size());
    std::vector<Finding> findings;
    build_findings(input, path, engine.ruleset, matches, findings);
    sort_findings(findings);
  } catch (const UsageError&) {
  } catch (const RuntimeFailure&) {
  }
}

KEYSWEEP_FUZZ_ENTRY(matcher)
