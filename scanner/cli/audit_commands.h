#pragma once
// Audits of many repositories: the scan flags (--datastore, --repos-from,
// --shard), `keysweep report` and `keysweep datastore merge`.

#include <optional>
#include <string>
#include <vector>

#include "audit/org_audit.h"

namespace CLI {
class App;
}

namespace keysweep {

class InventoryStore;

struct AuditArguments {
  std::string datastore;
  std::string repos_from;
  std::string shard;
};

/// Adds --datastore, --repos-from and --shard to `scan`.
void add_audit_options(CLI::App& command, AuditArguments& arguments);

/// The audit the flags ask for (nullopt without --datastore), validated
/// against the rest of the scan: history only, no secret values shown or sent.
std::optional<AuditOptions> audit_options(const AuditArguments& arguments,
                                          const std::vector<std::string>& paths,
                                          const std::optional<GitScanOptions>& git, bool verify,
                                          bool show_secrets);

struct ReportArguments {
  std::string datastore;
  std::string format = "text";
  std::string output;
  std::string repository;
  std::vector<std::string> rule_paths;
};

CLI::App* add_report_command(CLI::App& app, ReportArguments& arguments);
int run_report(const ReportArguments& arguments);

/// `datastore merge OUT IN...`; returns the merge subcommand.
CLI::App* add_datastore_commands(CLI::App& app, std::vector<std::string>& paths);
int run_datastore_merge(const std::vector<std::string>& paths);

}  // namespace keysweep
