#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "test_helpers.h"

using namespace keysweep;
using keysweep::test::Engine;
using keysweep::test::kApiKey;
using keysweep::test::kAppKey;

namespace {

LivenessLabel label(Liveness status) {
  LivenessLabel label;
  label.status = status;
  return label;
}

}  // namespace

TEST_CASE("fail-on judges a finding by its liveness; unlabelled counts as unknown") {
  CHECK(fails(std::nullopt, FailOn::any));
  CHECK(fails(std::nullopt, FailOn::unknown));
  CHECK_FALSE(fails(std::nullopt, FailOn::live));
  CHECK_FALSE(fails(label(Liveness::revoked), FailOn::any));
  CHECK_FALSE(fails(label(Liveness::expired), FailOn::unknown));
  CHECK(fails(label(Liveness::live), FailOn::live));
  CHECK(parse_fail_on("unknown") == FailOn::unknown);
  CHECK_FALSE(parse_fail_on("all"));
}

TEST_CASE("the policy stage marks failing findings and moves baselined ones aside") {
  Engine engine{test::builtin_ruleset()};
  ScanResult result;
  result.root = "/repo";
  result.repository_root = "/repo";
  result.findings =
      engine.findings("DD_API_KEY=" + kApiKey + "\nDD_APP_KEY=" + kAppKey + "\n", "prod.env");
  REQUIRE(result.findings.size() == 2);
  result.findings[1].liveness = label(Liveness::revoked);

  Policy policy;
  policy.baseline_path = "/repo/.keysweep-baseline.json";
  policy.baseline = {baseline_entry(result.findings[0], PathRebase("/repo", "/repo")),
                     {"gone.env", "datadog-api-key", std::string(64, '0')}};
  std::sort(policy.baseline.begin(), policy.baseline.end());
  PolicyOutcome outcome = apply_policy(policy, result);

  REQUIRE(result.findings.size() == 1);
  REQUIRE(result.suppressed.size() == 1);
  CHECK(result.suppressed[0].suppressed_by == Suppression::baseline);
  CHECK(result.suppressed[0].key_type == "api_key");
  CHECK_FALSE(result.findings[0].fails);  // revoked
  CHECK(outcome.baselined == 1);
  CHECK(outcome.failing == 0);
  REQUIRE(outcome.unused_baseline.size() == 1);
  CHECK(outcome.unused_baseline[0].path == "gone.env");
}

TEST_CASE("a client token in browser code fails only when configured") {
  ScanResult result;
  Finding token;
  token.client_token_in_browser_code = true;
  result.findings = {token};
  Policy policy;
  apply_policy(policy, result);
  CHECK_FALSE(result.findings[0].fails);
  policy.fail_on_client_tokens = true;
  apply_policy(policy, result);
  CHECK(result.findings[0].fails);
}

TEST_CASE("a match found before its path is known is settled at each path") {
  Engine engine{test::ruleset_from(R"(
[[rules]]
id = "env-only"
regex = '''TOKEN=([a-z]{12})'''
keywords = ["token="]
path = '''\.env$'''
[[rules.allowlists]]
paths = ['''^fixtures/''']
)")};
  std::string text = "TOKEN=abcdefghijkl\n";
  std::vector<RawMatch> matches;
  engine.matcher->find(text, std::nullopt, *engine.scratch, matches);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].suppressed_by == Suppression::none);
  // Reported where the rule applies, not at all where its path filter rules it out,
  // and set aside (marked) where the allowlist's paths hold it.
  auto placed = at_path(*engine.ruleset, matches[0], text, "deploy/prod.env");
  REQUIRE(placed);
  CHECK(placed->suppressed_by == Suppression::none);
  CHECK_FALSE(at_path(*engine.ruleset, matches[0], text, "deploy/notes.txt"));
  placed = at_path(*engine.ruleset, matches[0], text, "fixtures/sample.env");
  REQUIRE(placed);
  CHECK(placed->suppressed_by == Suppression::allowlist);
}

TEST_CASE("the policy stage counts what allowlists and inline allows set aside; it never fails") {
  ScanResult result;
  Finding reported, allowlisted, inline_allowed;
  allowlisted.suppressed_by = Suppression::allowlist;
  inline_allowed.suppressed_by = Suppression::inline_allow;
  allowlisted.secret = inline_allowed.secret = reported.secret = kApiKey;
  // Per file, from `first` on: counted and gone, so they never pile up in memory.
  std::vector<Finding> file = {allowlisted, reported, allowlisted, inline_allowed};
  ScanStats counted;
  set_aside_marked(file, 1, counted);
  REQUIRE(file.size() == 2);  // the one before `first` is not this file's to judge
  CHECK(file[0].suppressed_by == Suppression::allowlist);
  CHECK(file[1].suppressed_by == Suppression::none);
  CHECK(counted.allowlisted == 1);
  CHECK(counted.inline_allowed == 1);

  result.findings = {allowlisted, reported, inline_allowed};
  set_aside_marked(result);
  REQUIRE(result.findings.size() == 1);
  CHECK(result.findings[0].secret == kApiKey);
  CHECK(result.suppressed.empty());  // only counted: nothing of them is kept
  PolicyOutcome outcome = apply_policy(Policy{}, result);
  CHECK(outcome.allowlisted == 1);
  CHECK(outcome.inline_allowed == 1);
  CHECK(outcome.baselined == 0);
  CHECK(outcome.failing == 1);
  CHECK(result.findings[0].fails);
}
