#pragma once
// `keysweep hook install|uninstall`.

namespace CLI {
class App;
}

namespace keysweep {

struct HookArguments {
  bool pre_push = false;
  bool global = false;
};

CLI::App* add_hook_commands(CLI::App& app, HookArguments& arguments);
int run_hook_command(CLI::App& hook_command, const HookArguments& arguments);

}  // namespace keysweep
