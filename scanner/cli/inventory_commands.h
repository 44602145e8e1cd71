#pragma once
// `keysweep inventory ...`: import, sync and list the key inventory.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace keysweep {

struct InventoryArguments {
  std::string store;  // empty: InventoryStore::default_path()
  std::vector<std::string> files;
  std::string site;
  std::string api_url;
  std::string format = "text";
  std::string output;
  std::string now;                    // audit: evaluate at this time (default: now)
  std::vector<std::string> findings;  // audit: json scan reports, for shared keys
  std::string config;
  bool no_config = false;
};

/// Adds the `inventory` subcommands to `app`; returns the command that ran
/// through run_inventory_command after parsing.
CLI::App* add_inventory_commands(CLI::App& app, InventoryArguments& arguments);

/// Runs whichever inventory subcommand was parsed. Returns the exit code.
int run_inventory_command(CLI::App& inventory_command, const InventoryArguments& arguments);

}  // namespace keysweep
