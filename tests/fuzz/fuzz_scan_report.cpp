// A json scan report as `inventory audit --findings` reads it, and the
// shared-key check over its sightings.

#include "fuzz_input_file.h"
#include "fuzz_targets.h"
#include "inventory/inventory_audit.h"
#include "rules/rule_loader.h"
#include "util/error.h"

void keysweep::fuzz::scan_report(std::string_view input) {
  static InputFile file("report.json");
  static const Ruleset builtin = [] {
    Ruleset ruleset;
    load_builtin_rules(ruleset);
    return ruleset;
  }();
  try {
    std::vector<KeySighting> sightings = read_sightings({file.write(input)});
    audit_inventory({}, {}, builtin, AuditSettings{}, 1'700'000'000, sightings);
  } catch (const UsageError&) {
  } catch (const RuntimeFailure&) {
  }
}

KEYSWEEP_FUZZ_ENTRY(scan_report)
