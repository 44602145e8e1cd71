#include "scan/rule_check.h"

#include <algorithm>

#include "findings/finding.h"
#include "lint/repository_lint.h"
#include "util/escape.h"

namespace keysweep {
namespace {

std::vector<std::string> secrets_of_rule(const Matcher& matcher, Matcher::Scratch& scratch,
                                         std::uint32_t rule, const RuleExample& example) {
  std::vector<RawMatch> matches;
  matcher.find(example.text, example.path, scratch, matches);
  std::vector<std::string> secrets;
  for (const RawMatch& match : matches) {
    // A match an allowlist or an inline allow sets aside is not a detection.
    if (match.rule != rule || match.suppressed_by != Suppression::none) continue;
    std::string text =
        example.text.substr(match.secret_start, match.secret_end - match.secret_start);
    // An encoded secret is checked as the example states it: decoded.
    if (match.encoding == Encoding::base64) text = decode_base64(text).value_or(text);
    secrets.push_back(std::move(text));
  }
  return secrets;
}

/// What a repository check reports on an example: the whole engine runs
/// (two checks judge the secret findings), then the check's code.
std::vector<std::string> evidence_of_check(const Matcher& matcher, Matcher::Scratch& scratch,
                                           const Rule& rule, const RuleExample& example) {
  std::vector<RawMatch> matches;
  matcher.find(example.text, example.path, scratch, matches);
  // The checks judge the reported secrets, as a scan's do.
  std::erase_if(matches,
                [](const RawMatch& match) { return match.suppressed_by != Suppression::none; });
  std::vector<Finding> secrets;
  if (!matches.empty())
    build_findings(example.text, example.path, matcher.ruleset(), matches, secrets);
  std::vector<LintHit> hits;
  lint_file(example.path, example.text, secrets, hits);
  std::vector<std::string> evidence;
  for (const LintHit& hit : hits) {
    if (hit.check == rule.id) evidence.push_back(example.text.substr(hit.offset, hit.length));
  }
  return evidence;
}

}  // namespace

std::vector<RuleCheckProblem> check_rule_examples(const Matcher& matcher) {
  std::vector<RuleCheckProblem> problems;
  auto scratch = matcher.make_scratch();
  const Ruleset& ruleset = matcher.ruleset();
  for (std::uint32_t index = 0; index < ruleset.rules.size(); ++index) {
    const Rule& rule = ruleset.rules[index];
    auto problem = [&](std::string message) {
      problems.push_back({rule.id, rule.source, std::move(message)});
    };
    for (std::size_t n = 0; n < rule.examples.size(); ++n) {
      const RuleExample& example = rule.examples[n];
      std::vector<std::string> secrets = rule.check == RuleCheck::repository
                                             ? evidence_of_check(matcher, *scratch, rule, example)
                                             : secrets_of_rule(matcher, *scratch, index, example);
      std::string label = "example " + std::to_string(n + 1);
      if (secrets.empty()) {
        problem(label + " does not match: " + example.text);
      } else if (!example.secret.empty() &&
                 std::find(secrets.begin(), secrets.end(), example.secret) == secrets.end()) {
        problem(label + " extracts '" + secrets.front() + "', not '" + example.secret + "'");
      }
    }
    for (std::size_t n = 0; n < rule.negative_examples.size(); ++n) {
      const RuleExample& example = rule.negative_examples[n];
      std::vector<std::string> secrets = rule.check == RuleCheck::repository
                                             ? evidence_of_check(matcher, *scratch, rule, example)
                                             : secrets_of_rule(matcher, *scratch, index, example);
      if (!secrets.empty()) {
        problem("negative example " + std::to_string(n + 1) + " matches '" + secrets.front() +
                "': " + example.text);
      }
    }
  }
  return problems;
}

}  // namespace keysweep
