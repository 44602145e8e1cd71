#pragma once
// Generated at build time by embed_files.py from hooks/pre-commit, pre-push
// and pre-receive.

#include <string_view>
#include <utility>
#include <vector>

namespace keysweep {

/// (hook name, script) for each hook script in hooks/.
const std::vector<std::pair<std::string_view, std::string_view>>& hook_scripts();

}  // namespace keysweep
