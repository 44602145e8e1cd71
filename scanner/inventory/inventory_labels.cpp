#include "inventory/inventory_labels.h"

namespace keysweep {

Rule make_inventory_sweep_rule(const InventoryIndex& index) {
  Rule rule;
  rule.id = kInventorySweepRuleId;
  rule.name = "Datadog key from the organisation's inventory";
  rule.description =
      "A value whose SHA-256 is a key in the organisation's key inventory, found without the "
      "context a pattern rule needs (a bare hex string in a log, a fixture, a notebook).";
  rule.key_type = "datadog_key";
  rule.severity = Severity::critical;
  rule.remediation =
      "This is one of your organisation's keys. Remove it from the file and its history, rotate "
      "it in Datadog (Organization Settings > API Keys or Application Keys), and keep the new "
      "value in a secrets manager.";
  rule.references = {"https://docs.datadoghq.com/account_management/api-app-keys/"};
  // Token shapes, like the Datadog key rules: every 32/40-hex word (and RUM
  // token) is already a candidate of the one Hyperscan pass, so the sweep
  // adds no pattern; a candidate costs a hash lookup of its last four
  // characters, and only those ending like a known key are hashed.
  rule.tokens = {{"", "0-9a-f", 32}, {"", "0-9a-f", 40}, {"pub", "0-9a-f", 32}};
  rule.source = "builtin:inventory";
  rule.secret_filter = std::make_shared<const std::function<bool(std::string_view)>>(
      [&index](std::string_view secret) { return index.knows_value(secret); });
  return rule;
}

void label_findings(std::vector<Finding>& findings, const InventoryIndex& index) {
  for (Finding& finding : findings) {
    if (finding.kind == FindingKind::check) continue;  // a lint finding is about a habit, not a key
    finding.liveness = index.label(finding.key_type, finding.secret, finding.secret_sha256);
    if (finding.rule->id == kInventorySweepRuleId && finding.liveness->inventory) {
      finding.key_type = finding.liveness->inventory->kind;
      finding.key_kind = key_kind_from_name(finding.key_type);
    }
  }
}

}  // namespace keysweep
