#pragma once
// Reads rule files into a Ruleset: keysweep's and gitleaks' TOML format, and
// Nosey Parker's and Kingfisher's YAML rules. Every problem (syntax, wrong
// type, a regex RE2 cannot compile, a missing regex) is a UsageError whose
// message names the file, the rule id and the reason. What loads but cannot be
// honoured (an unknown field, betterleaks' validate) is a note in
// Ruleset::notes, as is a rule that replaces one of the same id.

#include <string>
#include <string_view>

#include "rules/rule.h"

namespace keysweep {

/// Parses one rule file's text; `source` names it in errors. Appends to `ruleset`.
void load_rules_text(std::string_view text, const std::string& source, Ruleset& ruleset);

/// Loads a file, or every *.toml file of a directory (sorted by name).
void load_rules_path(const std::string& path, Ruleset& ruleset);

/// Prints the ruleset's load notes (unhonoured fields, replaced rules) to
/// stderr as "keysweep: warning: ...", once; they never stop a run.
void print_rule_notes(Ruleset& ruleset);

/// The rule pack compiled into the binary (rules/*.toml at build time).
void load_builtin_rules(Ruleset& ruleset);

/// Compiles every rule regex and checks its secretGroup. Loading defers this
/// (regexes compile on first use); the matcher calls it whenever it builds a
/// database, so a ruleset is validated before it is ever used or cached.
/// Throws UsageError naming the file, line, rule id and reason.
void validate_rules(const Ruleset& ruleset);
void validate_rule(const Rule& rule);

}  // namespace keysweep
