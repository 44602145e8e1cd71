#include "cli/hook_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "hooks/hook_installer.h"

namespace keysweep {
namespace {

std::string running_binary() {
  std::error_code error;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : path.string();
}

HookInstallOptions options_from(const HookArguments& arguments, bool uninstall) {
  HookInstallOptions options;
  options.global = arguments.global;
  options.keysweep_path = running_binary();
  options.hooks = {"pre-commit"};
  // Uninstall removes every keysweep hook it finds; install adds what is asked.
  if (arguments.pre_push || uninstall) options.hooks.push_back("pre-push");
  return options;
}

}  // namespace

CLI::App* add_hook_commands(CLI::App& app, HookArguments& arguments) {
  CLI::App* hook = app.add_subcommand("hook", "Install or remove the git hooks");
  hook->require_subcommand(1);
  CLI::App* install = hook->add_subcommand("install",
                                           "Install the pre-commit hook (and pre-push) in this "
                                           "repository, chaining any hook already there");
  install->add_flag("--pre-push", arguments.pre_push, "Also install the pre-push hook");
  install->add_flag("--global", arguments.global,
                    "Install for every repository: into core.hooksPath, set to "
                    "~/.config/keysweep/hooks if unset");
  CLI::App* uninstall =
      hook->add_subcommand("uninstall", "Remove keysweep's hooks and restore the chained ones");
  uninstall->add_flag("--global", arguments.global, "Remove the hooks installed with --global");
  return hook;
}

int run_hook_command(CLI::App& hook_command, const HookArguments& arguments) {
  bool uninstall = hook_command.get_subcommand("uninstall")->parsed();
  HookInstallOptions options = options_from(arguments, uninstall);
  for (const std::string& line : uninstall ? uninstall_hooks(options) : install_hooks(options)) {
    std::cout << line << '\n';
  }
  return 0;
}

}  // namespace keysweep
