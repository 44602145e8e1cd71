#include <catch2/catch.hpp>

#include "reporter.h"
#include "test_helpers.h"

using namespace keysweep;
using keysweep::test::Engine;
using keysweep::test::kApiKey;
using keysweep::test::kAppKey;

TEST_CASE("findings carry line, column, end and the secret's SHA-256") {
  Engine engine(test::builtin_ruleset());
  std::string text = "line one\r\n  DD_API_KEY=" + kApiKey + "\r\n";
  auto findings = engine.findings(text, "dir/app.env");
  REQUIRE(findings.size() == 1);
  const Finding& finding = findings[0];
  CHECK(finding.path == "dir/app.env");
  CHECK(finding.start.line == 2);
  CHECK(finding.start.column == 14);
  CHECK(finding.end.line == 2);
  CHECK(finding.end.column == 46);  // exclusive
  CHECK(finding.secret == kApiKey);
  CHECK(finding.secret_sha256 == sha256_hex(kApiKey));
  CHECK(finding.checksum == ChecksumStatus::not_applicable);
  CHECK(finding.snippet.text == "  DD_API_KEY=" + kApiKey);  // no \r
}

TEST_CASE("columns count Unicode code points, not bytes") {
  Engine engine(test::builtin_ruleset());
  std::string text = "# é ✓\nnote=\"ünïcode\" DD_API_KEY=" + kApiKey;
  auto findings = engine.findings(text);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].start.line == 2);
  CHECK(findings[0].start.column == 27);
}

TEST_CASE("a snippet marks every secret on the line and is truncated around long lines") {
  Engine engine(test::builtin_ruleset());
  std::string text = std::string(500, 'a') + " DD_API_KEY=" + kApiKey + " DD_APP_KEY=" + kAppKey +
                     " " + std::string(500, 'b');
  auto findings = engine.findings(text, "min.js");
  REQUIRE(findings.size() == 2);
  const Snippet& snippet = findings[0].snippet;
  CHECK(snippet.truncated_before);
  CHECK(snippet.truncated_after);
  CHECK(snippet.text.size() < 300);
  REQUIRE(snippet.secret_spans.size() == 2);
  CHECK(snippet.text.substr(snippet.secret_spans[0].first, 32) == kApiKey);
  CHECK(snippet.text.substr(snippet.secret_spans[1].first, 40) == kAppKey);
}

TEST_CASE("access tokens report their checksum") {
  Engine engine(test::builtin_ruleset());
  const std::string secret = "Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq";
  const std::string good = "ddpat_7Hk2Lm9Pq3Rs8Tv1Wx4Yz6_" + secret + base62(crc32(secret), 6);
  std::string bad = good;
  bad.back() = bad.back() == 'A' ? 'B' : 'A';
  auto findings = engine.findings("a=" + good + "\nb=" + bad + "\n");
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].rule->key_type == "personal_access_token");
  CHECK(findings[0].checksum == ChecksumStatus::valid);
  CHECK(findings[1].checksum == ChecksumStatus::invalid);  // still reported
}

TEST_CASE("a snippet marks the same value again on the line, where no rule matched it") {
  Engine engine(test::builtin_ruleset());
  // As in a rule file's examples: the value in context, then alone.
  std::string text = "{ text = \"DD_API_KEY=" + kApiKey + "\", secret = \"" + kApiKey + "\" }\n";
  auto findings = engine.findings(text, "rules.toml");
  REQUIRE(findings.size() == 1);
  const Snippet& snippet = findings[0].snippet;
  REQUIRE(snippet.secret_spans.size() == 2);
  for (auto [offset, length] : snippet.secret_spans)
    CHECK(snippet.text.substr(offset, length) == kApiKey);
  CHECK(render_snippet(snippet, ReportOptions{}).find(kApiKey) == std::string::npos);
}
