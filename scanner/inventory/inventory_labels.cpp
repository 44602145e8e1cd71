#include "inventory/inventory_labels.h"


#include "rules/lazy_regex.h"

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
  rule.regex = R"(\b((?:pub)?[0-9a-f]{32}|[0-9a-f]{40})\b)";
  rule.secret_group = 1;
  // Anchored on the known keys' last four characters, not on "any hex run":
  // a literal search stays at memory speed, and only windows ending in one of
  // our keys' suffixes are confirmed and hashed.
  rule.keywords = index.hashed_key_suffixes();
  rule.source = "builtin:inventory";
  rule.compiled_regex = std::make_shared<LazyRegex>(rule.regex);
  rule.secret_filter = std::make_shared<const std::function<bool(std::string_view)>>(
      [&index](std::string_view secret) { return index.knows_value(secret); });
  return rule;
}

void label_findings(std::vector<Finding>& findings, const InventoryIndex& index) {
  for (Finding& finding : findings) {
    if (!finding.rule->check.empty()) continue;  // a lint finding is about a habit, not a key
    finding.liveness = index.label(finding.key_type, finding.secret, finding.secret_sha256);
    if (finding.rule->id == kInventorySweepRuleId && finding.liveness->inventory) {
      finding.key_type = finding.liveness->inventory->kind;
    }
  }
}

}  // namespace keysweep
