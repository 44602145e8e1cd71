#pragma once
// A rule is data: one [[rules]] table of a TOML rule file. Field names follow
// gitleaks where they fit (id, description, regex, secretGroup, keywords,
// entropy, path, allowlists) so existing gitleaks rule files load; the rest
// (name, keyType, severity, remediation, references, examples,
// negative_examples) is what keysweep adds.

#include <functional>
#include <memory>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "rules/lazy_regex.h"

namespace re2 {
class RE2;
}

namespace keysweep {

/// What an allowlist regex is matched against (gitleaks' regexTarget).
enum class AllowTarget { secret, match, line };

/// A finding is dropped when its allowlist matches: any one criterion with
/// condition OR (the default), every criterion that is set with AND.
struct Allowlist {
  std::string description;
  bool require_all = false;
  AllowTarget regex_target = AllowTarget::secret;
  std::vector<std::shared_ptr<const re2::RE2>> regexes;
  std::vector<std::shared_ptr<const re2::RE2>> paths;
  std::vector<std::string> stopwords;  // lowercase; matched case-insensitively in the secret
  std::vector<std::string> commits;    // only history scans can match these
};

/// An example that a rule must (or must not) match, optionally at a path, and
/// optionally with the secret its capture group must extract.
struct RuleExample {
  std::string text;
  std::string path = "example.txt";
  std::string secret;  // empty: any secret
};

enum class Severity { low, medium, high, critical };

struct Rule {
  std::string id;
  std::string name;
  std::string description;
  std::string key_type = "generic";
  Severity severity = Severity::high;
  std::string remediation;
  std::vector<std::string> references;
  std::vector<std::string> tags;

  // A lint check (rules/lint.toml): found by code in scanner/lint, not by the
  // matcher, so it has no regex. "repository" (part of `scan`) or "inventory"
  // (`inventory audit`); empty for a pattern rule.
  std::string check;

  std::string regex;  // RE2 syntax; also compiled by Hyperscan when the rule has no keywords
  int secret_group = 0;  // 0: the first capture group that matched, or the whole match
  std::vector<std::string> keywords;  // lowercase literals; each hit opens a window for `regex`
  std::optional<double> min_entropy;
  std::string path_regex;  // the rule applies only to paths this matches (empty: all)
  std::vector<Allowlist> allowlists;
  // Set only by code, never by a rule file: a match is kept only when this
  // accepts its secret (the inventory sweep keeps only known keys).
  std::shared_ptr<const std::function<bool(std::string_view)>> secret_filter;

  std::vector<RuleExample> examples;
  std::vector<RuleExample> negative_examples;

  std::string source;  // the rule file (or "builtin:datadog.toml"), for error messages
  int regex_line = 0;  // where `regex` is in the source, for error messages

  // Compiled forms, shared so a Ruleset copies cheaply. The rule regex compiles
  // on first use (see LazyRegex); validate_rules() compiles them all.
  std::shared_ptr<const LazyRegex> compiled_regex;
  std::shared_ptr<const re2::RE2> compiled_path;
};

/// Rules in load order: built-in first, then --rules files in the order given.
/// Order matters: where two rules match the same span, the earlier one reports it.
struct Ruleset {
  std::vector<Rule> rules;
  std::vector<Allowlist> global_allowlists;  // top-level [allowlist] / [[allowlists]]
};

const char* severity_name(Severity severity);

}  // namespace keysweep
