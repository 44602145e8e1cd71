#pragma once
// Nosey Parker's and Kingfisher's rule packs: YAML files with a top-level
// `rules:` list of {name, id, pattern, examples, negative_examples,
// references, ...}. Their patterns are Rust/Vectorscan syntax, often in
// free-spacing mode `(?x)`, which RE2 lacks: free_spacing_to_re2() rewrites
// them. A rule RE2 cannot run is skipped with a note naming it and the
// reason; it never refuses the pack. What keysweep does not do (Kingfisher's
// live `validation`, `depends_on_rule`) is one note per file.

#include <string>
#include <string_view>

#include "rules/rule.h"

namespace keysweep {

/// Parses one YAML rule pack; `source` names it in errors and notes.
/// Throws UsageError for a file that is not a rule pack (bad YAML, no `rules:`).
void load_yaml_rules_text(std::string_view text, const std::string& source, Ruleset& ruleset);

/// A Rust/PCRE pattern as RE2 reads it: `(?x)` free spacing removed
/// (unescaped whitespace dropped, `#` comments cut, `\ ` kept as a space),
/// `(?<name>` written `(?P<name>`, and a repeat of one character or class
/// over RE2's limit of 1000 split into repeats within it. Sets `problem` to
/// the reason when the pattern cannot be made RE2's (RE2 then has its say).
std::string pattern_to_re2(std::string_view pattern, std::string& problem);

}  // namespace keysweep
