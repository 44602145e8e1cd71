// Rule TOML as `--rules FILE` and `rules check` read it: parsed, then every
// regex compiled and its secretGroup checked. A ruleset that passes must keep
// the contract the matcher relies on without checking again.

#include <re2/re2.h>

#include <cstdlib>
#include <string>

#include "fuzz_targets.h"
#include "rules/lazy_regex.h"
#include "rules/rule_loader.h"
#include "util/error.h"

void keysweep::fuzz::rules(std::string_view input) {
  Ruleset ruleset;
  try {
    load_rules_text(input, "fuzz.toml", ruleset);
    validate_rules(ruleset);
  } catch (const UsageError&) {
    return;
  } catch (const RuntimeFailure&) {
    return;
  }
  for (const Rule& rule : ruleset.rules) {
    if (rule.min_entropy && !(*rule.min_entropy >= 0)) std::abort();  // NaN too
    // A check and a path-only rule (gitleaks: `path` and no regex) have no regex.
    if (rule.check != RuleCheck::none || !rule.compiled_regex) continue;
    if (rule.secret_group < 0 ||
        rule.secret_group > rule.compiled_regex->get().NumberOfCapturingGroups()) {
      std::abort();
    }
  }
}

KEYSWEEP_FUZZ_ENTRY(rules)
