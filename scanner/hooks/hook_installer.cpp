#include "hooks/hook_installer.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "hooks/hook_scripts.h"
#include "util/error.h"
#include "util/safe_write.h"
#include "util/subprocess.h"
#include "util/text.h"

namespace keysweep {
namespace {

namespace fs = std::filesystem;

ProcessResult git(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return run_process(argv);
}

std::string home() {
  const char* value = std::getenv("HOME");
  if (!value || !*value) throw UsageError("--global: HOME is not set");
  return value;
}

/// keysweep's own hooks path for --global, used when none is configured.
fs::path default_global_hooks() {
  const char* config = std::getenv("XDG_CONFIG_HOME");
  fs::path base = config && *config ? fs::path(config) : fs::path(home()) / ".config";
  return base / "keysweep" / "hooks";
}

std::string configured_global_hooks() {
  ProcessResult result = git({"config", "--global", "--get", "core.hooksPath"});
  std::string value = result.exit_code == 0 ? trim_line_ends(result.out) : "";
  if (value.starts_with("~/")) value = home() + value.substr(1);
  return value;
}

fs::path repository_hooks() {
  // --git-path hooks answers core.hooksPath when it is set.
  ProcessResult result = git({"rev-parse", "--path-format=absolute", "--git-path", "hooks"});
  if (result.exit_code != 0) {
    throw UsageError("not in a git repository (" + trim_line_ends(result.err) +
                     "); use --global for every repository");
  }
  return trim_line_ends(result.out);
}

bool is_ours(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  return read_text_file(path).value_or("").find(kHookMarker) != std::string::npos;
}

std::string_view script_for(const std::string& name) {
  for (const auto& [file, script] : hook_scripts()) {
    if (file == name) return script;
  }
  throw UsageError("no keysweep hook named '" + name + "'");
}

/// The script with the binary that installed it as the default keysweep, so
/// the hook works without keysweep on the PATH (KEYSWEEP still overrides).
std::string script_with_binary(std::string_view script, const std::string& binary) {
  std::string text(script);
  const std::string line = "KEYSWEEP=${KEYSWEEP:-keysweep}";
  if (auto at = text.find(line); at != std::string::npos && !binary.empty()) {
    std::string quoted = "'";
    for (char c : binary) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    text.replace(at, line.size(), "KEYSWEEP=${KEYSWEEP:-" + quoted + "}");
  }
  return text;
}

/// core.hooksPath stops git from running each repository's .git/hooks, so a
/// global hook runs the repository's own hook of its name after keysweep.
void chain_repository_hook(std::string& script) {
  const std::string line = "chain_repository_hook=no";
  if (auto at = script.find(line); at != std::string::npos) {
    script.replace(at, line.size(), "chain_repository_hook=yes");
  }
}

fs::path hooks_directory(const HookInstallOptions& options, bool create) {
  if (!options.global) return repository_hooks();
  std::string configured = configured_global_hooks();
  if (!configured.empty()) return configured;
  fs::path directory = default_global_hooks();
  if (create) {
    ProcessResult set = git({"config", "--global", "core.hooksPath", directory.string()});
    if (set.exit_code != 0)
      throw RuntimeFailure("git config --global core.hooksPath: " + trim_line_ends(set.err));
  }
  return directory;
}

}  // namespace

std::vector<std::string> install_hooks(const HookInstallOptions& options) {
  fs::path directory = hooks_directory(options, true);
  fs::create_directories(directory);
  std::vector<std::string> done;
  for (const std::string& name : options.hooks) {
    std::string script = script_with_binary(script_for(name), options.keysweep_path);
    if (options.global) chain_repository_hook(script);
    fs::path hook = directory / name;
    fs::path chained = directory / (name + ".keysweep-chained");
    std::error_code error;
    bool present = fs::exists(fs::symlink_status(hook, error));
    std::string note;
    if (present && is_ours(hook)) {
      note = " (updated)";
    } else if (present) {
      if (fs::exists(fs::symlink_status(chained, error))) {
        throw UsageError(hook.string() + " exists and so does " + chained.string() +
                         "; move one of them away first");
      }
      fs::rename(hook, chained);
      note = " (the hook that was there runs after it: " + chained.filename().string() + ")";
    }
    write_file_safely(hook.string(), script, FileAccess::executable);
    if (options.global) {
      note += "; after keysweep passes, each repository's own .git/hooks/" + name +
              " runs (core.hooksPath would otherwise skip it)";
    }
    done.push_back("installed " + name + " in " + directory.string() + note);
  }
  return done;
}

std::vector<std::string> uninstall_hooks(const HookInstallOptions& options) {
  fs::path directory = hooks_directory(options, false);
  std::vector<std::string> done;
  for (const std::string& name : options.hooks) {
    fs::path hook = directory / name;
    fs::path chained = directory / (name + ".keysweep-chained");
    std::error_code error;
    if (!fs::exists(fs::symlink_status(hook, error))) continue;
    if (!is_ours(hook)) {
      done.push_back(hook.string() + " is not keysweep's; left alone");
      continue;
    }
    fs::remove(hook);
    if (fs::exists(fs::symlink_status(chained, error))) {
      fs::rename(chained, hook);
      done.push_back("removed " + name + " from " + directory.string() +
                     "; restored the hook that was there");
    } else {
      done.push_back("removed " + name + " from " + directory.string());
    }
  }
  // --global with keysweep's own hooks path: leave no empty hooks path set.
  std::error_code error;
  if (options.global && directory == default_global_hooks() && fs::is_empty(directory, error)) {
    git({"config", "--global", "--unset", "core.hooksPath"});
    fs::remove(directory, error);
    done.push_back("unset core.hooksPath (it was keysweep's)");
  }
  return done;
}

}  // namespace keysweep
