// Rule TOML as `--rules FILE` and `rules check` read it: parsed, then every
// regex compiled and its secretGroup checked.

#include <string>

#include "fuzz_targets.h"
#include "rules/rule_loader.h"
#include "util/error.h"

void keysweep::fuzz::rules(std::string_view input) {
  try {
    Ruleset ruleset;
    load_rules_text(input, "fuzz.toml", ruleset);
    validate_rules(ruleset);
  } catch (const UsageError&) {
  } catch (const RuntimeFailure&) {
  }
}

KEYSWEEP_FUZZ_ENTRY(rules)
