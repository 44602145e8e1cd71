// .keysweep.toml as `--config` reads it, then applied to the built-in rules
// (disabled ids, allowlist globs and regexes).

#include "config/project_config.h"
#include "fuzz_input_file.h"
#include "fuzz_targets.h"
#include "rules/rule_loader.h"
#include "util/error.h"

void keysweep::fuzz::project_config(std::string_view input) {
  static InputFile file(".keysweep.toml");
  static const Ruleset builtin = [] {
    Ruleset ruleset;
    load_builtin_rules(ruleset);
    return ruleset;
  }();
  try {
    ProjectConfig config = load_project_config(file.write(input));
    Ruleset ruleset = builtin;
    apply_project_config(config, ruleset);
  } catch (const UsageError&) {
  } catch (const RuntimeFailure&) {
  }
}

KEYSWEEP_FUZZ_ENTRY(project_config)
