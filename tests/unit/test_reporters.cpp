#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "policy/policy.h"
#include "reporter.h"
#include "test_helpers.h"

using namespace keysweep;
using keysweep::test::Engine;
using keysweep::test::kApiKey;
using keysweep::test::kAppKey;

namespace {

struct Fixture {
  Engine engine{test::builtin_ruleset()};
  ScanResult result;

  Fixture() {
    result.root = "/work/repo with space";
    result.findings = engine.findings("DD_API_KEY=" + kApiKey + " DD_APP_KEY=" + kAppKey + "\n",
                                      "config/prod env.sh");
    result.stats.files_scanned = 1;
    apply_policy(Policy{}, result);  // fail_on any: both findings fail
  }

  std::string render(ReportFormat format, bool show_secrets) {
    Report report{result, *engine.ruleset, {"lost.txt: cannot read: Permission denied"}, 0, {}};
    std::ostringstream out;
    ReportOptions options;
    options.show_secrets = show_secrets;
    write_report(format, report, options, out);
    return out.str();
  }
};

}  // namespace

TEST_CASE("redaction keeps the first four characters") {
  CHECK(redact(kApiKey) == "4f8a…");
  CHECK(redact("abcdefgh") == "ab…");
  CHECK(redact("") == "…");
}

TEST_CASE("snippets redact every secret on the line unless asked not to") {
  Snippet snippet{"a=SECRETONE b=SECRETTWO", {{2, 9}, {14, 9}}, true, false};
  ReportOptions options;
  CHECK(render_snippet(snippet, options) == "…a=SE… b=SE…");
  options.show_secrets = true;
  CHECK(render_snippet(snippet, options) == "…a=SECRETONE b=SECRETTWO");
}

TEST_CASE("no report format prints a secret unless --show-secrets") {
  Fixture fixture;
  REQUIRE(fixture.result.findings.size() == 2);
  for (ReportFormat format : {ReportFormat::text, ReportFormat::json, ReportFormat::sarif}) {
    std::string redacted = fixture.render(format, false);
    CHECK(redacted.find(kApiKey) == std::string::npos);
    CHECK(redacted.find(kAppKey) == std::string::npos);
    CHECK(redacted.find("4f8a") != std::string::npos);
    std::string shown = fixture.render(format, true);
    CHECK(shown.find(kApiKey) != std::string::npos);
  }
}

TEST_CASE("the text report lists location, rule, key type and a summary") {
  Fixture fixture;
  std::string text = fixture.render(ReportFormat::text, false);
  CHECK(text.find("config/prod env.sh:1:12: datadog-api-key (api_key, high) 4f8a…") !=
        std::string::npos);
  CHECK(text.find("2 findings (2 unique secrets) in 1 file,") != std::string::npos);
  CHECK(text.find("\x1b[") == std::string::npos);  // no colour unless asked
}

TEST_CASE("a Datadog site's web app host") {
  CHECK(datadog_app_host("datadoghq.com") == "app.datadoghq.com");
  CHECK(datadog_app_host("datadoghq.eu") == "app.datadoghq.eu");
  CHECK(datadog_app_host("ddog-gov.com") == "app.ddog-gov.com");
  CHECK(datadog_app_host("us3.datadoghq.com") == "us3.datadoghq.com");
  CHECK(datadog_app_host("ap1.datadoghq.com") == "ap1.datadoghq.com");
}

TEST_CASE("a finding's advice is its rule's, with links on its own site") {
  Fixture fixture;
  Finding finding = fixture.result.findings.front();
  REQUIRE(finding.rule->remediation.find("https://app.datadoghq.com/") != std::string::npos);
  CHECK(finding_remediation(finding) == finding.rule->remediation);
  finding.site_hint = "datadoghq.eu";
  std::string advice = finding_remediation(finding);
  CHECK(advice.find("https://app.datadoghq.eu/organization-settings/") != std::string::npos);
  CHECK(advice.find("app.datadoghq.com") == std::string::npos);
  // The site that answered --verify outranks a site named nearby.
  finding.liveness = LivenessLabel{Liveness::live, {"online"}, std::nullopt, "us5.datadoghq.com"};
  CHECK(finding_remediation(finding).find("https://us5.datadoghq.com/organization-settings/") !=
        std::string::npos);
  Rule imported = *finding.rule;
  imported.remediation.clear();
  finding.rule = &imported;
  advice = finding_remediation(finding);
  CHECK(advice.find("Remove the secret") == 0);
  CHECK(advice.find("Datadog") == std::string::npos);
}

TEST_CASE("the JSON report has every field of a finding") {
  Fixture fixture;
  auto document = nlohmann::json::parse(fixture.render(ReportFormat::json, false));
  REQUIRE(document["findings"].size() == 2);
  const auto& finding = document["findings"][0];
  CHECK(finding["rule_id"] == "datadog-api-key");
  CHECK(finding["key_type"] == "api_key");
  CHECK(finding["path"] == "config/prod env.sh");
  CHECK(finding["line"] == 1);
  CHECK(finding["column"] == 12);
  CHECK(finding["end_line"] == 1);
  CHECK(finding["end_column"] == 44);
  CHECK(finding["secret"] == "4f8a…");
  CHECK(finding["secret_redacted"] == true);
  CHECK(finding["secret_sha256"] == sha256_hex(kApiKey));
  CHECK(finding["checksum"].is_null());
  CHECK(document["summary"]["unique_secrets"] == 2);
  CHECK(document["summary"]["warnings"][0] == "lost.txt: cannot read: Permission denied");
}

TEST_CASE("the SARIF report follows the shape code scanning expects") {
  Fixture fixture;
  auto document = nlohmann::json::parse(fixture.render(ReportFormat::sarif, false));
  CHECK(document["version"] == "2.1.0");
  REQUIRE(document["runs"].size() == 1);
  const auto& run = document["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  CHECK(run["tool"]["driver"]["name"] == "keysweep");
  CHECK(rules.size() == fixture.engine.ruleset->rules.size());
  CHECK(run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///work/repo%20with%20space/");
  CHECK(run["invocations"][0]["toolExecutionNotifications"].size() == 1);
  REQUIRE(run["results"].size() == 2);
  for (const auto& result : run["results"]) {
    const auto& rule = rules[result["ruleIndex"].get<std::size_t>()];
    CHECK(rule["id"] == result["ruleId"]);
    CHECK_FALSE(rule["properties"]["security-severity"].get<std::string>().empty());
    CHECK(rule["help"]["markdown"].get<std::string>().find("**Remediation:**") !=
          std::string::npos);
    const auto& location = result["locations"][0]["physicalLocation"];
    CHECK(location["artifactLocation"]["uri"] == "config/prod%20env.sh");
    CHECK(location["artifactLocation"]["uriBaseId"] == "%SRCROOT%");
    CHECK(location["region"]["startLine"] == 1);
  }
  const auto& api = run["results"][0];
  CHECK(api["ruleId"] == "datadog-api-key");
  CHECK(api["level"] == "error");
  CHECK(api["partialFingerprints"]["secretSha256/v1"] == sha256_hex(kApiKey));
  CHECK(api["properties"]["keyType"] == "api_key");
  CHECK(api["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] ==
        "DD_API_KEY=4f8a… DD_APP_KEY=9a8b…");
  CHECK(run["results"][1]["properties"]["keyType"] == "application_key");
}
