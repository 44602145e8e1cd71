#pragma once
// `keysweep hook install/uninstall`: puts the hook scripts of hooks/ into a
// repository's hooks directory (core.hooksPath respected), or into a hooks
// path for every repository (--global). A hook already there is chained, not
// overwritten: it is kept as <name>.keysweep-chained and runs after keysweep;
// uninstall puts it back. Global hooks also run each repository's own hook
// of the same name, which core.hooksPath would otherwise silently skip.

#include <string>
#include <vector>

namespace keysweep {

struct HookInstallOptions {
  std::vector<std::string> hooks;  // "pre-commit", "pre-push"
  bool global = false;
  std::string keysweep_path;  // the binary the hooks run (absolute)
};

/// Returns one line per hook saying what was done. Throws UsageError outside
/// a repository (without --global) or when a chained hook would be lost.
std::vector<std::string> install_hooks(const HookInstallOptions& options);
std::vector<std::string> uninstall_hooks(const HookInstallOptions& options);

/// The line every keysweep hook script carries, to recognise its own.
inline constexpr const char* kHookMarker = "# keysweep-hook: ";

}  // namespace keysweep
