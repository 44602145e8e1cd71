#include <re2/re2.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "config/project_config.h"
#include "lint/repository_lint.h"
#include "rules/builtin_rules.h"
#include "rules/yaml_rules.h"
#include "scan/rule_check.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/paths.h"

using namespace keysweep;
using keysweep::test::Engine;

namespace {

/// The error of loading and validating a rule file (regexes compile lazily,
/// so validation is where a bad regex or secretGroup is caught).
std::string load_error(const std::string& toml) {
  try {
    validate_rules(test::ruleset_from(toml));
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every built-in rule file is embedded and loads") {
  REQUIRE_FALSE(builtin_rule_files().empty());
  Ruleset ruleset = test::builtin_ruleset();
  std::set<std::string> key_types;
  for (const Rule& rule : ruleset.rules) {
    INFO(rule.id);
    CHECK(rule.source.rfind("builtin:", 0) == 0);
    CHECK_FALSE(rule.name.empty());
    CHECK_FALSE(rule.description.empty());
    CHECK_FALSE(rule.remediation.empty());
    CHECK_FALSE(rule.references.empty());
    if (rule.check == RuleCheck::inventory) continue;  // judged on inventory records, in test_audit
    CHECK(rule.examples.size() >= 2);
    CHECK(rule.negative_examples.size() >= 2);
    if (rule.check == RuleCheck::none) key_types.insert(rule.key_type);
  }
  // The five Datadog credential types of the credential-management guidance.
  CHECK(key_types == std::set<std::string>{"api_key", "application_key", "personal_access_token",
                                           "service_access_token", "rum_client_token"});
}

TEST_CASE("every built-in rule's examples match and negative examples do not") {
  Engine engine(test::builtin_ruleset());
  std::vector<RuleCheckProblem> problems = check_rule_examples(*engine.matcher);
  for (const RuleCheckProblem& problem : problems) {
    UNSCOPED_INFO(problem.rule_id << ": " << problem.message);
  }
  CHECK(problems.empty());
}

TEST_CASE("a history audit lints every name a secret-free check reads") {
  // Two checks judge where a found key sits: their blobs are linted because
  // they hold a secret. Every other repository check must be reachable by name.
  const std::set<std::string> need_secrets{"rum-client-token-server-side",
                                           "api-key-in-browser-code"};
  std::size_t seen = 0;
  for (const Rule& rule : test::builtin_ruleset().rules) {
    if (rule.check != RuleCheck::repository || need_secrets.count(rule.id) != 0) continue;
    for (const RuleExample& example : rule.examples) {
      INFO(rule.id << ": " << example.path);
      CHECK(check_reads_name(example.path));
      ++seen;
    }
  }
  CHECK(seen >= 10);
  CHECK_FALSE(check_reads_name("src/main.c"));
  CHECK_FALSE(check_reads_name("config/env.txt"));
}

TEST_CASE("rule check reports a failing example and a matching negative example") {
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "acme"
regex = '''acme_([a-z0-9]{10})'''
keywords = ["acme_"]
examples = ["acme_abcdefghij", "nothing here", { text = "acme_abcdefghij", secret = "wrong" }]
negative_examples = ["acme_0123456789"]
)toml"));
  std::vector<RuleCheckProblem> problems = check_rule_examples(*engine.matcher);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].message.find("example 2 does not match") != std::string::npos);
  CHECK(problems[1].message.find("example 3 extracts 'abcdefghij', not 'wrong'") !=
        std::string::npos);
  CHECK(problems[2].message.find("negative example 1 matches") != std::string::npos);
}

TEST_CASE("gitleaks field names load, including both allowlist forms") {
  Ruleset ruleset = test::ruleset_from(R"toml(
title = "gitleaks config"
[allowlist]
paths = ['''vendor/''']

[[rules]]
id = "generic"
description = "Generic"
regex = '''(?i)token\s*=\s*"([a-z0-9]{16})"'''
secretGroup = 1
entropy = 3.5
keywords = ["TOKEN"]
tags = ["generic"]
path = '''\.py$'''
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''example''']
[[rules.allowlists]]
condition = "AND"
stopwords = ["test"]
paths = ['''tests/''']
)toml");
  REQUIRE(ruleset.rules.size() == 1);
  const Rule& rule = ruleset.rules[0];
  CHECK(rule.keywords == std::vector<std::string>{"token"});  // lowercased
  CHECK(rule.secret_group == 1);
  CHECK(rule.min_entropy == Approx(3.5));
  REQUIRE(rule.allowlists.size() == 2);
  CHECK(rule.allowlists[0].regex_target == AllowTarget::line);
  CHECK(rule.allowlists[1].require_all);
  CHECK(ruleset.global_allowlists.size() == 1);
  CHECK(rule.name == "generic");
}

TEST_CASE("rule file errors name the file, the line, the rule and the reason") {
  CHECK(load_error("[[rules]\nid='x'").find("test.toml:1") != std::string::npos);
  CHECK(load_error("[[rules]]\nid = 'x'\nregex = 'a(b'\n") ==
        "test.toml:3: rule 'x': regex does not compile: missing ): a(b");
  CHECK(load_error("[[rules]]\nregex = 'ab'\n").find("needs a non-empty string 'id'") !=
        std::string::npos);
  CHECK(load_error("[[rules]]\nid = 'x'\n")
            .find("rule 'x': a rule needs a non-empty 'regex' or 'path'") != std::string::npos);
  CHECK(load_error("[[rules]]\nid = 'x'\nregex = '(a)'\nsecretGroup = 2\n")
            .find("secretGroup 2 is larger than the regex's 1 capture groups") !=
        std::string::npos);
  // Found by fuzzing: 2^31 was cast to a negative group and passed; nan disabled the entropy check.
  CHECK(load_error("[[rules]]\nid = 'x'\nregex = '(a)'\nsecretGroup = 2147483648\n") ==
        "test.toml:4: rule 'x': 'secretGroup' must be a non-negative integer");
  CHECK(load_error("[[rules]]\nid = 'x'\nregex = '(a)'\nentropy = nan\n") ==
        "test.toml:4: rule 'x': 'entropy' must be a non-negative number");
  CHECK(load_error("[[rules]]\nid = 'x'\nregex = 'a'\nseverity = 'urgent'\n")
            .find("severity must be low, medium, high or critical") != std::string::npos);
  // gitleaks' invalid configurations, in its own terms.
  CHECK(load_error("[[allowlists]]\n").find("an allowlist needs at least one of") !=
        std::string::npos);
  CHECK(load_error("[allowlist]\nregexes = ['a']\n[[allowlists]]\nregexes = ['b']\n")
            .find("cannot be used together") != std::string::npos);
  CHECK(load_error("[[allowlists]]\nregexTarget = 'mtach'\nregexes = ['b']\n")
            .find("regexTarget must be secret, match or line, not 'mtach'") != std::string::npos);
  CHECK(load_error("[[rules]]\nid = 'a'\nregex = 'a'\n[[allowlists]]\ntargetRules = ['a', "
                   "'b']\nregexes = ['x']\n")
            .find("targetRules: no rule 'b'") != std::string::npos);
  CHECK(load_error("[[rules]]\nid = 'a'\nregex = 'a'\n[[rules.required]]\nid = 'b'\n")
            .find("rule 'a': [[rules.required]] names no rule 'b'") != std::string::npos);
  CHECK(load_error("[extend]\npath = 'missing.toml'\n").find("[extend] path: ") !=
        std::string::npos);
}

TEST_CASE("gitleaks semantics: later ids replace, unknown fields are notes, path-only rules load") {
  Ruleset ruleset = test::ruleset_from(R"toml(
minVersion = "v8.25.0"
flavour = "x"
[[rules]]
id = "a"
regex = 'aaa'
regx = 'typo'
validate = 'cel: true'
[[rules]]
id = "p12"
path = '''(?i)\.p12$'''
[[rules]]
id = "a"
regex = 'bbb'
skipReport = true
tags = ["t"]
[[allowlists]]
targetRules = ["p12"]
paths = ['''^test/''']
)toml");
  REQUIRE(ruleset.rules.size() == 2);
  CHECK(ruleset.rules[0].regex == "bbb");  // replaced in place
  CHECK(ruleset.rules[0].skip_report);
  CHECK(is_path_only(ruleset.rules[1]));
  CHECK(ruleset.rules[1].allowlists.size() == 1);  // targeted, not global
  CHECK(ruleset.global_allowlists.empty());
  std::string notes;
  for (const std::string& note : ruleset.notes) notes += note + "\n";
  CHECK(notes.find("test.toml:3: unknown top-level field 'flavour' ignored") != std::string::npos);
  CHECK(notes.find("test.toml:7: rule 'a': unknown field 'regx' ignored") != std::string::npos);
  CHECK(notes.find("rule 'a': 'validate' (betterleaks) is not honoured") != std::string::npos);
  CHECK(notes.find("rule 'a' replaces the rule of that id from test.toml") != std::string::npos);
}

TEST_CASE("gitleaks keywords gate the whole input, not the match") {
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "airtable"
regex = '''\b([a-z0-9]{17})\b'''
keywords = ["airtable"]
)toml"));
  // The keyword is far from the value (and not in the match): it still counts.
  std::string far = "# airtable settings\n" + std::string(6000, '\n') + "key = abcdefghij0123456\n";
  CHECK(engine.raw(far).size() == 1);
  CHECK(
      engine.raw("key = abcdefghij0123456\n").empty());  // no keyword anywhere: the rule never runs
}

TEST_CASE("generic-api-key yields to a specific rule; composite rules need their parts near") {
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "generic-api-key"
regex = '''(?i)token\s*=\s*"([a-z0-9_]{20,})"'''
keywords = ["token"]
[[rules]]
id = "github-pat"
regex = '''ghp_[0-9a-zA-Z]{36}'''
keywords = ["ghp_"]
[[rules]]
id = "password"
regex = '''password\s*=\s*"([^"]+)"'''
[[rules.required]]
id = "username"
withinLines = 1
[[rules]]
id = "username"
regex = '''username\s*=\s*"([^"]+)"'''
skipReport = true
)toml"));
  auto ids = [&](const std::string& text) {
    std::vector<std::string> out;
    for (const RawMatch& match : engine.raw(text))
      out.push_back(engine.ruleset->rules[match.rule].id);
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(ids("token = \"ghp_0123456789abcdefghijABCDEFGHIJ012345\"\n") ==
        std::vector<std::string>{"github-pat"});
  CHECK(ids("token = \"abcdefghij0123456789xyz\"\n") ==
        std::vector<std::string>{"generic-api-key"});
  CHECK(ids("username = \"ada\"\npassword = \"hunter22\"\n") ==
        std::vector<std::string>{"password"});
  CHECK(ids("username = \"ada\"\n\n\npassword = \"hunter22\"\n")
            .empty());  // more than one line apart
  CHECK(ids("password = \"hunter22\"\n").empty());
}

TEST_CASE("[extend] refines the base's rules field by field and drops disabledRules") {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "keysweep-extend-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream base(dir / "base.toml");
    base << "[[rules]]\nid = 'aws'\ndescription = 'AWS'\nregex = '''AKIA[A-Z0-9]{16}'''\ntags = "
            "['key']\n"
            "[[rules]]\nid = 'custom'\nregex = 'custom!'\n";
  }
  std::string top =
      "[extend]\npath = 'base.toml'\ndisabledRules = ['custom', 'absent']\n"
      "[[rules]]\nid = 'aws'\ndescription = 'Puppy'\ntags = ['puppy']\n"
      "[[rules.allowlists]]\nstopwords = ['example']\n";
  Ruleset ruleset;
  load_rules_text(top, (dir / "top.toml").string(), ruleset);
  REQUIRE(ruleset.rules.size() == 1);
  const Rule& aws = ruleset.rules[0];
  CHECK(aws.description == "Puppy");
  CHECK(aws.regex == "AKIA[A-Z0-9]{16}");
  CHECK(aws.tags == std::vector<std::string>{"key", "puppy"});
  CHECK(aws.allowlists.size() == 1);
  REQUIRE(ruleset.notes.size() == 1);
  CHECK(ruleset.notes[0].find("disabledRules: no rule 'absent'") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a regex Hyperscan cannot compile fails with the rule id unless keywords anchor it") {
  // \p{Greek} needs UTF-8 mode in Hyperscan; RE2 accepts it.
  const std::string unanchored = "[[rules]]\nid = 'greek'\nregex = '''\\p{Greek}+'''\n";
  Diagnostics diagnostics(true);
  Ruleset ruleset = test::ruleset_from(unanchored);
  try {
    Matcher matcher(ruleset, {}, diagnostics);
    FAIL("expected a UsageError");
  } catch (const UsageError& error) {
    CHECK(std::string(error.what()).find("test.toml: rule 'greek': Hyperscan cannot compile") == 0);
  }
  Engine anchored(test::ruleset_from(unanchored + "keywords = ['alpha:']\n"));
  CHECK(anchored.raw("alpha: \xce\xb1\xce\xb2\xce\xb3").size() == 1);
}

TEST_CASE("config path globs follow gitignore") {
  auto matches = [](const std::string& glob, const std::string& path) {
    return re2::RE2::PartialMatch(path, re2::RE2(glob_to_regex(glob)));
  };
  CHECK(matches("*.lock", "yarn.lock"));
  CHECK(matches("*.lock", "web/app/yarn.lock"));
  CHECK_FALSE(matches("*.lock", "yarn.lock.txt"));
  CHECK(matches("tests/fixtures/", "tests/fixtures/a/b.env"));
  CHECK_FALSE(matches("tests/fixtures/", "src/tests/fixtures/a.env"));
  CHECK(matches("fixtures/", "src/tests/fixtures/a.env"));  // only a trailing slash: any depth
  CHECK_FALSE(matches("fixtures/", "src/fixtures"));        // ... but a directory
  CHECK(matches("fixtures",
                "src/tests/fixtures/a.env"));  // no slash: any depth, and what is under it
  CHECK(matches("/build", "build/x.txt"));
  CHECK_FALSE(matches("/build", "src/build/x.txt"));
  CHECK(matches("docs/**/*.md", "docs/a/b/c.md"));
  CHECK(matches("docs/**/*.md", "docs/c.md"));
  CHECK_FALSE(matches("docs/*.md", "docs/a/c.md"));
  CHECK(matches("a?c.env", "abc.env"));
  CHECK(matches("file.with.dots", "x/file.with.dots"));
  CHECK_FALSE(matches("file.with.dots", "x/fileXwithXdots"));
}

TEST_CASE("peers' free-spacing patterns become RE2's") {
  std::string problem;
  // Comments, whitespace (in classes too, as Rust's regex reads them), an escaped space, (?# ).
  CHECK(pattern_to_re2("(?x)\n  \\b ( ghp_  # prefix\n [a-z 0-9]{36} ) \\ x (?# note )\n",
                       problem) == "\\b(ghp_[a-z0-9]{36})\\x20x");
  CHECK(pattern_to_re2("(?xi) a b", problem) == "(?i)ab");
  CHECK(pattern_to_re2("(?x) [#] \\# c", problem) == "[#]\\#c");
  CHECK(pattern_to_re2("(?<key>abc)", problem) == "(?P<key>abc)");
  CHECK(pattern_to_re2("(?<=a)b", problem) == "(?<=a)b");  // lookbehind is RE2's to refuse
  // A repeat over RE2's 1000 of one class splits into equivalent repeats.
  CHECK(pattern_to_re2("ya29\\.[0-9A-Za-z_-]{20,1024}", problem) ==
        "ya29\\.[0-9A-Za-z_-]{20,1000}[0-9A-Za-z_-]{0,24}");
  CHECK(pattern_to_re2("x{1500}", problem) == "x{1000}x{500,500}");
  CHECK(problem.empty());
  pattern_to_re2("(ab){2000}", problem);
  CHECK(problem == "a repeat count over 1000 on a group (RE2's limit)");
}

TEST_CASE("a Nosey Parker / Kingfisher pack loads; what cannot run is skipped with a note") {
  Ruleset ruleset;
  load_yaml_rules_text(R"yaml(
rules:
- name: Acme Token
  id: acme.1
  pattern: |
    (?x)
    \b
    ( acme_ [a-z0-9]{10} )  # the token
    \b
  categories: [api]
  references: [https://acme.example/docs]
  examples:
  - 'token: acme_abcdefghij'
  negative_examples:
  - 'acme_ABCDEFGHIJ'
  validation:
    type: Http
- name: Broken
  id: acme.2
  pattern: '(ab){2000}'
- name: Lookbehind
  id: acme.3
  pattern: '(?<=x)y'
  depends_on_rule: [acme.1]
)yaml",
                       "pack.yml", ruleset);
  REQUIRE(ruleset.rules.size() == 1);
  const Rule& rule = ruleset.rules[0];
  CHECK(rule.name == "Acme Token");
  CHECK(rule.regex == "\\b(acme_[a-z0-9]{10})\\b");
  CHECK(rule.examples.size() == 1);
  CHECK(rule.negative_examples.size() == 1);
  CHECK(rule.references == std::vector<std::string>{"https://acme.example/docs"});
  std::string notes;
  for (const std::string& note : ruleset.notes) notes += note + "\n";
  CHECK(notes.find(
            "rule 'acme.2' skipped: its pattern cannot run in RE2 (a repeat count over 1000") !=
        std::string::npos);
  CHECK(notes.find("rule 'acme.3' skipped: its pattern cannot run in RE2 (RE2: ") !=
        std::string::npos);
  CHECK(notes.find("pack.yml: 'validation' of 1 rules is not honoured") != std::string::npos);
  CHECK(notes.find("pack.yml: 'depends_on_rule' of 1 rules is not honoured") != std::string::npos);
  Engine engine(std::move(ruleset));
  CHECK(check_rule_examples(*engine.matcher).empty());
}
