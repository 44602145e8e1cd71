// SARIF 2.1.0 for GitHub code scanning and `datadog-ci sarif upload`.
// Secrets never appear: the message, the snippet and the properties carry the
// redacted form; the fingerprint is the SHA-256 of the secret.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "json_members.h"
#include "keysweep_config.h"

namespace keysweep {
namespace {

using nlohmann::ordered_json;

}  // namespace

const char* sarif_level(Severity severity) {
  switch (severity) {
    case Severity::critical:
    case Severity::high:
      return "error";
    case Severity::medium:
      return "warning";
    case Severity::low:
      return "note";
  }
  return "error";
}

/// GitHub reads properties["security-severity"] as a CVSS-like score.
const char* security_severity(Severity severity) {
  switch (severity) {
    case Severity::critical:
      return "9.5";
    case Severity::high:
      return "8.0";
    case Severity::medium:
      return "5.5";
    case Severity::low:
      return "3.0";
  }
  return "8.0";
}

/// Percent-encodes a relative path for artifactLocation.uri, keeping '/'.
std::string uri_from_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      uri.push_back(char(c));
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xf];
    }
  }
  return uri;
}

std::string sentence(std::string text) {
  if (!text.empty() && text.back() != '.') text.push_back('.');
  return text;
}

ordered_json rule_descriptor(const Rule& rule) {
  std::string help_text = sentence(rule.description);
  std::string help_markdown = sentence(rule.description);
  if (!rule.remediation.empty()) {
    help_text += "\n\nRemediation: " + rule.remediation;
    help_markdown += "\n\n**Remediation:** " + rule.remediation;
  }
  if (!rule.references.empty()) {
    help_markdown += "\n\n**References:**";
    for (const std::string& reference : rule.references) {
      help_markdown += "\n- <" + reference + ">";
    }
  }
  ordered_json tags = ordered_json::array({"security", "secret"});
  for (const std::string& tag : rule.tags) tags.push_back(tag);
  ordered_json descriptor = {
      {"id", rule.id},
      {"name", rule.name},
      {"shortDescription", {{"text", sentence(rule.name)}}},
      {"fullDescription",
       {{"text", sentence(rule.description.empty() ? rule.name : rule.description)}}},
      {"help", {{"text", help_text}, {"markdown", help_markdown}}},
      {"defaultConfiguration", {{"level", sarif_level(rule.severity)}}},
      {"properties",
       {{"tags", tags},
        {"security-severity", security_severity(rule.severity)},
        {"precision", "high"}}},
  };
  // A check finds a habit, not a key: it has no key type.
  if (rule.check == RuleCheck::none)
    descriptor["properties"]["keyType"] = rule.key_type;
  else
    descriptor["properties"]["check"] = rule_check_name(rule.check);
  if (!rule.references.empty()) descriptor["helpUri"] = rule.references.front();
  return descriptor;
}

namespace {

/// A client token in browser code is a note unless configured to fail.
/// With a liveness label, the level says how urgent it is: a live key is an
/// error whatever the rule says; one nobody can vouch for is a warning; a
/// dead one is a note.
const char* result_level(const Report& report, const Finding& finding) {
  if (finding.client_token_in_browser_code && !report.fail_on_client_tokens) return "note";
  if (!finding.liveness) return sarif_level(finding.rule->severity);
  switch (finding.liveness->status) {
    case Liveness::live:
      return "error";
    case Liveness::unknown:
      return "warning";
    case Liveness::revoked:
    case Liveness::expired:
    case Liveness::invalid:
      return "note";
  }
  return "warning";
}

/// GitHub code scanning resolves artifact URIs from the repository root and
/// ignores originalUriBaseIds: inside a work tree, paths start there.
struct ArtifactPaths {
  PathRebase to_top;
  std::string uri(const Finding& finding) const {
    return uri_from_path(to_top(finding.path).value_or(finding.path));
  }
};

ordered_json result_entry(const Report& report, const Finding& finding, const ArtifactPaths& paths,
                          const ReportOptions& options) {
  std::string secret = shown_secret(finding, options);
  ordered_json region = {
      {"startLine", finding.start.line},
      {"startColumn", finding.start.column},
      {"endLine", finding.end.line},
      {"endColumn", finding.end.column},
      {"snippet", {{"text", render_snippet(finding.snippet, options)}}},
  };
  ordered_json properties;
  if (finding.kind == FindingKind::check)
    properties["kind"] = "check";
  else
    properties["keyType"] = finding.key_type;
  properties["secretRedacted"] = !options.show_secrets && finding.redact;
  if (finding.encoding == Encoding::base64) properties["encoding"] = "base64";
  if (finding.checksum != ChecksumStatus::not_applicable) {
    properties["checksum"] = checksum_name(finding.checksum);
  }
  if (finding.liveness) properties.update(liveness_members(*finding.liveness, true));
  if (!finding.repository.empty()) properties["repository"] = finding.repository;
  if (finding.git) {
    properties["blob"] = finding.git->blob;
    if (!finding.git->commit.empty()) {
      properties["commit"] = finding.git->commit;
      properties["author"] = finding.git->author;
      properties["email"] = finding.git->email;
      properties["date"] = finding.git->date;
    }
  }
  std::string message = finding.rule->name + " found: " + secret;
  if (finding.liveness)
    message += " (" + std::string(liveness_name(finding.liveness->status)) + ")";
  message += ".";
  if (finding.client_token_in_browser_code) message += " Note: " + sentence(kClientTokenNote);
  return {
      {"ruleId", finding.rule->id},
      {"ruleIndex", finding.rule_index},
      {"level", result_level(report, finding)},
      {"message", {{"text", message}}},
      {"locations",
       ordered_json::array(
           {{{"physicalLocation",
              {{"artifactLocation", {{"uri", paths.uri(finding)}, {"uriBaseId", "%SRCROOT%"}}},
               {"region", region}}}}})},
      {"partialFingerprints", {{"secretSha256/v1", finding.secret_sha256}}},
      {"properties", properties},
  };
}

/// GitHub code scanning accepts at most 25,000 results per run, and shows at
/// most 1,000 locations per result.
constexpr std::size_t kMaxResults = 25000;
constexpr std::size_t kMaxRelatedLocations = 1000;

ordered_json related_location(const Finding& finding, const ArtifactPaths& paths, std::size_t id) {
  return {
      {"id", id},
      {"physicalLocation",
       {{"artifactLocation", {{"uri", paths.uri(finding)}, {"uriBaseId", "%SRCROOT%"}}},
        {"region", {{"startLine", finding.start.line}, {"startColumn", finding.start.column}}}}}};
}

/// One result per place while that fits; past kMaxResults, one result per
/// secret with its other places as relatedLocations; past that too, the
/// first kMaxResults secrets (failing ones first) and a notification.
ordered_json sarif_results(const Report& report, const ArtifactPaths& paths,
                           const ReportOptions& options, ordered_json& notifications) {
  const std::vector<Finding>& findings = report.result.findings;
  std::vector<SecretGroup> groups = group_by_secret(findings);
  ordered_json results = ordered_json::array();
  if (findings.size() <= kMaxResults) {
    // properties.secretPlaces tells how many places the same secret (same
    // fingerprint) has, so a reviewer sees them as one.
    std::vector<std::size_t> places(findings.size());
    for (const SecretGroup& group : groups) {
      for (std::size_t index : group.findings) places[index] = group.findings.size();
    }
    for (std::size_t i = 0; i < findings.size(); ++i) {
      ordered_json result = result_entry(report, findings[i], paths, options);
      result["properties"]["secretPlaces"] = places[i];
      results.push_back(std::move(result));
    }
    return results;
  }
  std::stable_partition(groups.begin(), groups.end(), [&](const SecretGroup& group) {
    return findings[group.findings.front()].fails;
  });
  for (std::size_t g = 0; g < groups.size() && g < kMaxResults; ++g) {
    const SecretGroup& group = groups[g];
    ordered_json result = result_entry(report, findings[group.findings.front()], paths, options);
    ordered_json related = ordered_json::array();
    for (std::size_t i = 1; i < group.findings.size() && related.size() < kMaxRelatedLocations;
         ++i) {
      related.push_back(related_location(findings[group.findings[i]], paths, i));
    }
    if (!related.empty()) result["relatedLocations"] = std::move(related);
    result["properties"]["secretPlaces"] = group.findings.size();
    results.push_back(std::move(result));
  }
  std::string text =
      std::to_string(findings.size()) +
      " findings exceed the 25,000 results a SARIF run may carry "
      "for GitHub code scanning: each secret is one result, its other places listed as related "
      "locations (at most 1,000 each)";
  if (groups.size() > kMaxResults) {
    text += "; " + std::to_string(groups.size() - kMaxResults) +
            " secrets beyond the first 25,000 (failing ones first) are left out: the JSON report "
            "has them all";
  }
  notifications.push_back({{"level", "warning"}, {"message", {{"text", text + "."}}}});
  return results;
}

}  // namespace

void write_sarif_report(const Report& report, const ReportOptions& options, std::ostream& out) {
  ordered_json rules = ordered_json::array();
  for (const Rule& rule : report.ruleset.rules) rules.push_back(rule_descriptor(rule));

  const std::string& top = report.result.repository_root;
  ArtifactPaths paths{top.empty() ? PathRebase() : PathRebase(report.result.root, top)};
  ordered_json notifications = ordered_json::array();
  ordered_json results = sarif_results(report, paths, options, notifications);
  for (const std::string& warning : report.warnings) {
    notifications.push_back({{"level", "warning"}, {"message", {{"text", sentence(warning)}}}});
  }
  for (const BaselineEntry& entry : report.unused_baseline) {
    notifications.push_back(
        {{"level", "note"},
         {"message",
          {{"text", "Baseline entry no longer found: " + entry.path + ", rule " + entry.rule_id +
                        ", secret SHA-256 " + entry.secret_sha256 + "."}}}});
  }

  std::string root_uri = "file://" + uri_from_path(top.empty() ? report.result.root : top);
  if (root_uri.back() != '/') root_uri.push_back('/');

  ordered_json run = {
      {"tool", sarif_tool(rules)},
      {"invocations", ordered_json::array({{{"executionSuccessful", true},
                                            {"toolExecutionNotifications", notifications}}})},
      {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", root_uri}}}}},
      {"columnKind", "unicodeCodePoints"},
      {"results", results},
      // Set-aside findings are counted, not emitted as suppressed results:
      // GitHub code scanning ignores `suppressions` and would open alerts for them.
      {"properties",
       {{"allowlisted", report.allowlisted},
        {"inlineAllowed", report.inline_allowed},
        {"baselined", report.baselined}}},
  };
  if (const auto& repository = report.result.repository) {
    ordered_json provenance = {{"repositoryUri", repository->uri}};
    if (!repository->revision.empty()) provenance["revisionId"] = repository->revision;
    if (!repository->branch.empty()) provenance["branch"] = repository->branch;
    provenance["mappedTo"] = {{"uriBaseId", "%SRCROOT%"}};
    run["versionControlProvenance"] = ordered_json::array({provenance});
  }
  write_sarif_log(std::move(run), out);
}

ordered_json sarif_tool(const ordered_json& rules) {
  return {{"driver",
           {{"name", "keysweep"},
            {"version", KEYSWEEP_VERSION},
            {"semanticVersion", KEYSWEEP_VERSION},
            {"informationUri", KEYSWEEP_INFORMATION_URI},
            {"rules", rules}}}};
}

void write_sarif_log(ordered_json run, std::ostream& out) {
  ordered_json document = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", ordered_json::array({std::move(run)})},
  };
  // Invalid UTF-8 (a snippet, a key name) is replaced rather than failing the whole report.
  out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace keysweep
