// Audits' pure parts: shards, the ruleset digest, and findings rebuilt from
// the datastore (which redact back to what the store kept).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <deque>

#include "audit/org_audit.h"
#include "rules/rule_loader.h"
#include "util/error.h"

using namespace keysweep;

TEST_CASE("shards are I/N from 1, or auto/N from the scheduler's 0-based index") {
  Shard shard = parse_shard("2/8");
  CHECK((shard.index == 2 && shard.count == 8));
  CHECK_THROWS_AS(parse_shard("0/8"), UsageError);
  CHECK_THROWS_AS(parse_shard("9/8"), UsageError);
  CHECK_THROWS_AS(parse_shard("1/0"), UsageError);
  CHECK_THROWS_AS(parse_shard("2"), UsageError);
  CHECK_THROWS_AS(parse_shard("a/b"), UsageError);
  ::setenv("JOB_COMPLETION_INDEX", "3", 1);
  CHECK(parse_shard("auto/4").index == 4);
  ::unsetenv("JOB_COMPLETION_INDEX");
  ::setenv("KEYSWEEP_SHARD_INDEX", "0", 1);
  CHECK(parse_shard("auto/4").index == 1);
  ::setenv("KEYSWEEP_SHARD_INDEX", "4", 1);
  CHECK_THROWS_AS(parse_shard("auto/4"), UsageError);
  ::unsetenv("KEYSWEEP_SHARD_INDEX");
  CHECK_THROWS_AS(parse_shard("auto/4"), UsageError);
}

TEST_CASE("every repository is in exactly one shard, and credentials do not move it") {
  for (int i = 0; i < 200; ++i) {
    std::string name = "https://git.example.com/org/repo-" + std::to_string(i) + ".git";
    int shards = 0;
    for (unsigned index = 1; index <= 5; ++index) shards += in_shard(name, Shard{index, 5});
    CHECK(shards == 1);
  }
  for (unsigned index = 1; index <= 7; ++index) {
    CHECK(in_shard("https://host/org/a.git", Shard{index, 7}) ==
          in_shard("https://user:token@host/org/a.git", Shard{index, 7}));
  }
}

TEST_CASE("the ruleset digest changes with what decides findings") {
  Ruleset ruleset;
  load_builtin_rules(ruleset);
  std::string digest = ruleset_digest(ruleset, "");
  CHECK(digest.size() == 64);
  CHECK(ruleset_digest(ruleset, "") == digest);
  CHECK(ruleset_digest(ruleset, "inventory hashes") != digest);
  Ruleset changed = ruleset;
  changed.rules.back().keywords.push_back("another");
  CHECK(ruleset_digest(changed, "") != digest);
}

TEST_CASE("findings from the datastore redact to what it kept and keep the hint") {
  Ruleset ruleset;
  load_builtin_rules(ruleset);
  StoredFinding stored;
  stored.repository = "https://host/org/a.git";
  stored.blob = std::string(40, 'a');
  stored.path = ".env";
  stored.rule_id = "datadog-api-key";
  stored.key_type = "api_key";
  stored.secret_sha256 = std::string(64, 'b');
  stored.secret_redacted = "4f8a…";
  stored.secret_hint = "1c3e";
  StoredFinding unknown_rule = stored;
  unknown_rule.rule_id = "a-rule-not-loaded";
  std::deque<Rule> missing;
  std::vector<Finding> findings = findings_from_store({stored, unknown_rule}, ruleset, missing);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].rule->id == "datadog-api-key");
  CHECK(findings[0].secret.starts_with("4f8a"));
  CHECK(findings[0].secret.ends_with("1c3e"));
  CHECK(findings[0].secret.size() == 16);  // redact() keeps min(4, size / 4) characters
  CHECK(findings[0].repository == stored.repository);
  CHECK(findings[0].git->blob == stored.blob);
  REQUIRE(missing.size() == 1);
  CHECK(findings[1].rule == &missing.front());
}
