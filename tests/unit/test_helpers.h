#pragma once
// Shared fixtures for the unit tests: rulesets from TOML text and a matcher
// that runs the real engine (no cache, quiet diagnostics).

#include <memory>
#include <string>
#include <vector>

#include "findings/finding.h"
#include "matcher/matcher.h"
#include "rules/rule_loader.h"
#include "util/diagnostics.h"
#include "util/sha256.h"

namespace keysweep::test {

inline Ruleset builtin_ruleset() {
  Ruleset ruleset;
  load_builtin_rules(ruleset);
  return ruleset;
}

inline Ruleset ruleset_from(const std::string& toml) {
  Ruleset ruleset;
  load_rules_text(toml, "test.toml", ruleset);
  return ruleset;
}

/// Owns a ruleset and a matcher over it.
struct Engine {
  explicit Engine(Ruleset rules, MatcherOptions options = {})
      : ruleset(std::make_unique<Ruleset>(std::move(rules))),
        diagnostics(true),
        matcher(std::make_unique<Matcher>(*ruleset, options, diagnostics)),
        scratch(matcher->make_scratch()) {}

  /// Every match, those an allowlist or an inline allow set aside marked.
  std::vector<RawMatch> all_matches(const std::string& text, const std::string& path = "file.txt") {
    std::vector<RawMatch> matches;
    matcher->find(text, path, *scratch, matches);
    return matches;
  }

  /// The matches that are reported: none set aside.
  std::vector<RawMatch> raw(const std::string& text, const std::string& path = "file.txt") {
    std::vector<RawMatch> matches = all_matches(text, path);
    std::erase_if(matches,
                  [](const RawMatch& match) { return match.suppressed_by != Suppression::none; });
    return matches;
  }

  std::vector<Finding> findings(const std::string& text, const std::string& path = "file.txt") {
    std::vector<RawMatch> matches = raw(text, path);
    std::vector<Finding> out;
    build_findings(text, path, *ruleset, matches, out);
    return out;
  }

  std::unique_ptr<Ruleset> ruleset;
  Diagnostics diagnostics;
  std::unique_ptr<Matcher> matcher;
  Matcher::ScratchPtr scratch;
};

// Random-looking values that are not anybody's key.
inline const std::string kApiKey = "4f8a9c2e7b1d3f6a5c8e9b2d4f7a1c3e";
inline const std::string kAppKey = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";

}  // namespace keysweep::test
