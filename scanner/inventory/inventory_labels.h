#pragma once
// What --inventory adds to a scan: the sweep rule that finds the
// organisation's own keys anywhere by hash, and a liveness label on every
// finding.

#include <vector>

#include "findings/finding.h"
#include "inventory/inventory_index.h"
#include "rules/rule.h"

namespace keysweep {

inline constexpr const char* kInventorySweepRuleId = "datadog-inventory-key";

/// Every 32- or 40-hex token and every pub + 32-hex token that ends in the
/// last4 of a hashed inventory key, kept only when its SHA-256 is a key of
/// `index` (which must outlive the rule). Appended last,
/// so a finding that a context rule also makes is reported by that rule.
Rule make_inventory_sweep_rule(const InventoryIndex& index);

/// Labels each finding from the inventory. A sweep finding takes its key
/// type from the inventory record it matched.
void label_findings(std::vector<Finding>& findings, const InventoryIndex& index);

}  // namespace keysweep
