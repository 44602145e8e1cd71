// `inventory audit` reports: the same three formats as a scan, about keys
// in the inventory rather than places in files. Never a key value: records
// hold none.
#include <map>
#include <nlohmann/json.hpp>

#include "json_members.h"
#include "keysweep_config.h"
#include "util/escape.h"
#include "util/sha256.h"

namespace keysweep {
namespace {

using nlohmann::ordered_json;

std::string describe_key(const AuditFinding& finding) {
  if (!finding.key) return "shared key";
  const KeyRecord& key = *finding.key;
  return std::string(key_kind_name(key.kind)) + " '" + key.name + "' (id " + key.id +
         (key.last4.empty() ? "" : ", …" + key.last4) + ")";
}

ordered_json key_json(const AuditFinding& finding) {
  if (!finding.key) return nullptr;
  const KeyRecord& key = *finding.key;
  return {{"kind", key_kind_name(key.kind)},
          {"id", key.id},
          {"name", key.name},
          {"last4", text_or_null(key.last4)},
          {"created_at", text_or_null(key.created_at)},
          {"last_used_at", text_or_null(key.last_used_at)},
          {"expires_at", text_or_null(key.expires_at)},
          {"owner_id", text_or_null(key.owner_id)}};
}

void write_text(const AuditReport& report, std::ostream& out) {
  for (const AuditFinding& finding : report.findings) {
    // Key names and owners come from the API or an imported file: never raw to a terminal.
    out << finding.rule->id << " (" << severity_name(finding.rule->severity) << ") "
        << terminal_safe(describe_key(finding)) << ": " << terminal_safe(finding.message);
    if (!finding.owner.empty()) out << "; owner " << terminal_safe(finding.owner);
    out << "\n    " << finding.rule->remediation << '\n';
  }
  out << report.findings.size() << (report.findings.size() == 1 ? " finding" : " findings")
      << " in " << report.keys_audited << " active keys of " << report.store << " at " << report.now
      << '\n';
}

void write_json(const AuditReport& report, std::ostream& out) {
  ordered_json findings = ordered_json::array();
  for (const AuditFinding& finding : report.findings) {
    findings.push_back(
        {{"rule_id", finding.rule->id},
         {"rule_name", finding.rule->name},
         {"severity", severity_name(finding.rule->severity)},
         {"key", key_json(finding)},
         {"owner", finding.owner.empty() ? ordered_json(nullptr) : ordered_json(finding.owner)},
         {"message", finding.message},
         {"remediation", finding.rule->remediation}});
  }
  ordered_json document = {
      {"tool", {{"name", "keysweep"}, {"version", KEYSWEEP_VERSION}}},
      {"store", report.store},
      {"now", report.now},
      {"findings", findings},
      {"summary", {{"findings", report.findings.size()}, {"keys_audited", report.keys_audited}}}};
  out << document.dump(2) << '\n';
}

void write_sarif(const AuditReport& report, std::ostream& out) {
  // Rules: the inventory checks that ran, in ruleset order.
  ordered_json rules = ordered_json::array();
  std::map<std::uint32_t, std::size_t> index_of;
  for (std::uint32_t i = 0; i < report.ruleset.rules.size(); ++i) {
    const Rule& rule = report.ruleset.rules[i];
    if (rule.check != RuleCheck::inventory) continue;
    index_of[i] = rules.size();
    rules.push_back(rule_descriptor(rule));
  }
  ordered_json results = ordered_json::array();
  for (const AuditFinding& finding : report.findings) {
    std::string subject =
        finding.key ? std::string(key_kind_name(finding.key->kind)) + "/" + finding.key->id
                    : "shared/" + finding.message;
    ordered_json properties = {{"owner", finding.owner}};
    if (finding.key) {
      properties["keyKind"] = key_kind_name(finding.key->kind);
      properties["keyId"] = finding.key->id;
      properties["keyName"] = finding.key->name;
    }
    results.push_back(
        {{"ruleId", finding.rule->id},
         {"ruleIndex", index_of[finding.rule_index]},
         {"level", sarif_level(finding.rule->severity)},
         {"message", {{"text", sentence(describe_key(finding) + ": " + finding.message)}}},
         {"locations",
          ordered_json::array(
              {{{"logicalLocations",
                 ordered_json::array({{{"name", finding.key ? finding.key->name : "shared key"},
                                       {"fullyQualifiedName", "datadog/" + subject},
                                       {"kind", "resource"}}})}}})},
         {"partialFingerprints",
          {{"keysweepAudit/v1", sha256_hex(finding.rule->id + "\n" + subject)}}},
         {"properties", properties}});
  }
  ordered_json run = {
      {"tool", sarif_tool(rules)},
      {"invocations", ordered_json::array({{{"executionSuccessful", true}}})},
      {"results", results},
      {"properties", {{"store", report.store}, {"now", report.now}}},
  };
  write_sarif_log(std::move(run), out);
}

}  // namespace

void write_audit_report(ReportFormat format, const AuditReport& report, std::ostream& out) {
  switch (format) {
    case ReportFormat::json:
      return write_json(report, out);
    case ReportFormat::sarif:
      return write_sarif(report, out);
    default:
      return write_text(report, out);
  }
}

}  // namespace keysweep
