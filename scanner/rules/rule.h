#pragma once
// A rule is data: one [[rules]] table of a TOML rule file. Field names follow
// gitleaks where they fit (id, description, regex, secretGroup, keywords,
// entropy, path, allowlists) so existing gitleaks rule files load; the rest
// (name, keyType, severity, remediation, references, examples,
// negative_examples) is what keysweep adds.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/key_kind.h"
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
  std::string secret;    // empty: any secret
  std::string encoding;  // "base64": the secret is found encoded in the text
};

enum class Severity { low, medium, high, critical };

/// What finds a rule's matches: the matcher (none), or code: the repository
/// checks of `scan` (scanner/lint), the inventory checks of `inventory audit`.
enum class RuleCheck : std::uint8_t { none, repository, inventory };

/// "repository", "inventory"; nullptr for none.
const char* rule_check_name(RuleCheck check);

/// A rule that must also match near a composite rule's match
/// (gitleaks' [[rules.required]]): within so many lines and/or columns of it,
/// or anywhere in the same input when neither is set.
struct RequiredRule {
  std::string id;
  std::optional<int> within_lines;
  std::optional<int> within_columns;
};

/// A candidate shape for a token rule: `prefix` (a case-sensitive literal,
/// possibly empty) followed by exactly `length` characters of `charset`, as a
/// whole word: no word character (or `-`/`.` joining another word) on either
/// side. `charset` is a regex class body of single bytes and ranges ("0-9a-f").
struct TokenShape {
  std::string prefix;
  std::string charset;
  std::uint32_t length = 0;
};

/// A name pattern: one word sequence per level of the name chain, outermost
/// first ("api key > key" is a `key` whose enclosing name says "api key").
/// Words are lowercase; a name's words come from splitting it at
/// non-alphanumerics and camelCase humps.
using NamePattern = std::vector<std::vector<std::string>>;

/// The vocabulary that token rules of one vendor share ([[contexts]] in a rule
/// file): what a mention of the vendor looks like, which words in a name mark
/// it as the vendor's, and which say another vendor or not a secret at all.
struct Context {
  std::string id;
  std::vector<std::string> mentions;  // lowercase literals, matched caselessly anywhere
  std::size_t mention_before = 1024;  // bytes before the token a mention may be
  std::size_t mention_after = 256;    // and after it
  // Word sets, sorted (the loader sorts them):
  std::vector<std::string> markers;     // name words that say the vendor ("dd", "datadog")
  std::vector<std::string> foreign;     // name words that say another vendor
  std::vector<std::string> not_secret;  // name words that say a digest, an id, a version
  // Words that may qualify a kind name without naming another vendor
  // (config.api_key, API_KEY_PROD); any other word does (OPENWEATHER_API_KEY).
  std::vector<std::string> qualifiers;
  std::vector<NamePattern>
      other_secrets;  // names of the vendor's other secrets (cluster agent token)
  std::vector<NamePattern> value_names;  // a generic "value" whose name is in a sibling
  std::vector<NamePattern> label_names;  // the sibling that holds it: name, key
  std::string source;
};

struct Rule {
  std::string id;
  std::string name;
  std::string description;
  std::string key_type = "generic";
  Severity severity = Severity::high;
  std::string remediation;
  std::vector<std::string> references;
  std::vector<std::string> tags;

  // A lint check (rules/lint.toml): found by code, not by the matcher, so it
  // has no regex and no key type.
  RuleCheck check = RuleCheck::none;
  // key_type parsed at load; none for a type keysweep has no code for (a custom rule's).
  std::optional<KeyKind> key_kind;

  // A token rule (the Datadog hex keys): candidates are tokens of these
  // shapes, found by Hyperscan anywhere; each is judged by its name chain and
  // the context's vocabulary instead of a regex (see matcher/token_context.h).
  std::vector<TokenShape> tokens;
  std::shared_ptr<const Context> context;  // none: a token needs no context (prefixed tokens)
  std::vector<NamePattern> names;          // names that say this kind of key by themselves
  std::vector<NamePattern> kind_names;     // say the kind; with a context marker word, they decide
  std::vector<NamePattern> generic_names;  // could hold it (key, value): need a mention nearby
  bool base64 = false;                     // also find base64 images of the tokens

  std::string regex;     // RE2 syntax; also compiled by Hyperscan (as written, or as a prefilter)
  int secret_group = 0;  // 0: the first capture group that matched, or the whole match
  // Lowercase literals, as in gitleaks: the rule applies to an input only when
  // one of them occurs anywhere in it (caselessly), not necessarily in the match.
  std::vector<std::string> keywords;
  std::optional<double> min_entropy;
  std::string path_regex;  // the rule applies only to paths this matches (empty: all)
  std::vector<Allowlist> allowlists;
  // Composite rules (gitleaks): a match counts only when each required rule
  // matches near it. A skip_report rule is never reported on its own; it
  // exists to be required by another.
  std::vector<RequiredRule> required;
  bool skip_report = false;
  // From a peer's rule pack: a rule the engine cannot run is skipped with a
  // warning instead of refusing the whole pack.
  bool optional = false;
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

/// A path-only rule (gitleaks): no regex, only `path`; a file whose path
/// matches is itself the finding.
inline bool is_path_only(const Rule& rule) {
  return rule.regex.empty() && rule.tokens.empty() && rule.check == RuleCheck::none &&
         rule.compiled_path;
}

/// Rules in load order: built-in first, then --rules files in the order given.
/// A rule with the id of one already loaded replaces it in place (a note says so).
/// Order matters: where two rules match the same span, the earlier one reports
/// it, except that `generic-api-key` yields to any other rule (as in gitleaks).
struct Ruleset {
  std::vector<Rule> rules;
  std::vector<std::shared_ptr<const Context>> contexts;
  std::vector<Allowlist> global_allowlists;  // top-level [allowlist] / [[allowlists]]
  // What loading could not honour, and replaced rules: printed as warnings by
  // the CLI, never a reason to refuse the rules.
  std::vector<std::string> notes;
};

const char* severity_name(Severity severity);

}  // namespace keysweep
