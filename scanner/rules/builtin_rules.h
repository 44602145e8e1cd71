#pragma once
// Generated at build time by embed_files.py from rules/*.toml.

#include <string_view>
#include <utility>
#include <vector>

namespace keysweep {

/// (file name, TOML text) of each built-in rule file, in file-name order.
const std::vector<std::pair<std::string_view, std::string_view>>& builtin_rule_files();

}  // namespace keysweep
