#include "cli/inventory_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "config/project_config.h"
#include "inventory/inventory_audit.h"
#include "inventory/inventory_store.h"
#include "json_members.h"
#include "net/inventory_sync.h"
#include "rules/rule_loader.h"
#include "util/diagnostics.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/safe_write.h"
#include "util/text.h"

namespace keysweep {
namespace {

std::string store_path(const InventoryArguments& arguments) {
  return arguments.store.empty() ? InventoryStore::default_path() : arguments.store;
}

void print_outcomes(const std::vector<ImportOutcome>& outcomes, const std::string& store) {
  for (const ImportOutcome& outcome : outcomes) {
    std::cout << listing_family_name(outcome.family) << ": " << outcome.listed << " listed, "
              << outcome.added << " new";
    if (outcome.complete) {
      std::cout << ", " << outcome.revoked << " revoked (complete listing)";
    } else if (outcome.listed > 0) {
      std::cout << "; partial listing";
      if (outcome.total_count)
        std::cout << " (" << outcome.listed << " of " << *outcome.total_count << ")";
      std::cout << ": nothing revoked";
    }
    std::cout << '\n';
  }
  std::cout << "inventory: " << store << '\n';
}

int run_import(const InventoryArguments& arguments) {
  // Parse everything first: a bad file stops the import before the store is touched.
  std::vector<ApiResponse> responses;
  for (const std::string& file : arguments.files) {
    std::string text = read_input_file(file, kReportFileLimit, "API response");
    responses.push_back(parse_api_response(text, file));
  }
  InventoryStore store(store_path(arguments), StoreAccess::import);
  print_outcomes(store.import(responses, current_time()), store.path());
  return 0;
}

int run_sync(const InventoryArguments& arguments) {
  ApiTarget target = resolve_api_target(arguments.site, arguments.api_url);
  std::vector<std::string> headers = management_headers_from_environment();
  Diagnostics diagnostics;
  HttpClient client;
  std::vector<ApiResponse> responses = fetch_inventory(client, target, headers, diagnostics);
  InventoryStore store(store_path(arguments), StoreAccess::import);
  print_outcomes(store.import(responses, current_time()), store.path());
  return 0;
}

const char* state_name(KeyState state) {
  switch (state) {
    case KeyState::active:
      return "active";
    case KeyState::revoked:
      return "revoked";
    case KeyState::expired:
      return "expired";
  }
  return "active";
}

int run_list(const InventoryArguments& arguments) {
  InventoryStore store(store_path(arguments), StoreAccess::read_only);
  std::vector<KeyRecord> keys = store.keys();
  std::map<std::string, UserRecord> users;
  for (UserRecord& user : store.users()) users[user.id] = user;
  const UnixTime now = current_time();
  auto owner_of = [&](const KeyRecord& record) {
    auto it = users.find(record.owner_id);
    if (it == users.end()) return record.owner_id;
    return !it->second.email.empty()  ? it->second.email
           : !it->second.name.empty() ? it->second.name
                                      : record.owner_id;
  };

  if (arguments.format == "json") {
    using nlohmann::ordered_json;
    ordered_json list = ordered_json::array();
    for (const KeyRecord& record : keys) {
      ordered_json scopes = record.scopes.empty()
                                ? ordered_json(nullptr)
                                : ordered_json::parse(record.scopes, nullptr, false);
      list.push_back({{"kind", key_kind_name(record.kind)},
                      {"id", record.id},
                      {"name", text_or_null(record.name)},
                      {"last4", text_or_null(record.last4)},
                      {"public_portion", text_or_null(record.public_portion)},
                      {"value_hashed", !record.key_sha256.empty()},
                      {"state", state_name(key_state(record, now))},
                      {"created_at", text_or_null(record.created_at)},
                      {"last_used_at", text_or_null(record.last_used_at)},
                      {"expires_at", text_or_null(record.expires_at)},
                      {"revoked_at", text_or_null(record.revoked_at)},
                      {"scopes", scopes},
                      {"owner_id", text_or_null(record.owner_id)},
                      {"owner", text_or_null(owner_of(record))}});
    }
    std::cout << list.dump(2) << '\n';
    return 0;
  }
  if (arguments.format != "text")
    throw UsageError("--format: '" + arguments.format + "' is not one of text, json");
  std::cout << std::left << std::setw(23) << "KIND" << std::setw(38) << "ID" << std::setw(28)
            << "NAME" << std::setw(6) << "LAST4" << std::setw(9) << "STATE" << std::setw(7)
            << "HASHED" << std::setw(22) << "LAST USED"
            << "OWNER\n";
  for (const KeyRecord& record : keys) {
    // Names, ids and owners come from the API or an imported file: never raw to a terminal.
    std::cout << std::setw(23) << key_kind_name(record.kind) << std::setw(38)
              << terminal_safe(record.id) << std::setw(28)
              << terminal_safe(record.name.substr(0, 27)) << std::setw(6)
              << terminal_safe(record.last4) << std::setw(9) << state_name(key_state(record, now))
              << std::setw(7) << (record.key_sha256.empty() ? "no" : "yes") << std::setw(22)
              << (record.last_used_at.empty() ? "never"
                                              : terminal_safe(record.last_used_at.substr(0, 21)))
              << terminal_safe(owner_of(record)) << '\n';
  }
  std::cout << keys.size() << " keys in " << store.path() << '\n';
  return 0;
}

/// Thresholds: the [audit] table of .keysweep.toml over the defaults.
AuditSettings audit_settings(const ProjectConfig& config) {
  AuditSettings settings;
  if (config.audit.unused_days) settings.unused_days = *config.audit.unused_days;
  if (config.audit.rotation_days) settings.rotation_days = *config.audit.rotation_days;
  if (config.audit.max_token_days) settings.max_token_days = *config.audit.max_token_days;
  if (config.audit.name_pattern) settings.name_pattern = *config.audit.name_pattern;
  return settings;
}

int run_audit(const InventoryArguments& arguments) {
  std::optional<ReportFormat> format = parse_report_format(arguments.format);
  if (!format || format == ReportFormat::junit) {
    throw UsageError("--format: '" + arguments.format + "' is not one of text, json, sarif");
  }
  UnixTime now = current_time();
  if (!arguments.now.empty()) {
    std::optional<UnixTime> parsed = parse_timestamp(arguments.now);
    if (!parsed)
      throw UsageError("--now: '" + arguments.now +
                       "' is not a date (2026-01-31 or 2026-01-31T12:00:00Z)");
    now = *parsed;
  }
  // Opened before any work: a destination keysweep may not write fails first.
  SafeWriter output(arguments.output, FileAccess::shared);
  ProjectConfig config = choose_project_config(arguments.config, arguments.no_config, ".");
  Ruleset ruleset = load_configured_ruleset(config);
  std::vector<KeySighting> sightings = read_sightings(arguments.findings);

  InventoryStore store(store_path(arguments), StoreAccess::read_only);
  std::vector<KeyRecord> keys = store.keys();
  std::vector<AuditFinding> findings =
      audit_inventory(keys, store.users(), ruleset, audit_settings(config), now, sightings);
  std::size_t active =
      std::size_t(std::count_if(keys.begin(), keys.end(), [&](const KeyRecord& key) {
        return key_state(key, now) == KeyState::active;
      }));
  write_audit_report(*format,
                     AuditReport{findings, ruleset, store.path(), format_timestamp(now), active},
                     output.stream());
  output.commit();
  return findings.empty() ? 0 : 1;
}

}  // namespace

CLI::App* add_inventory_commands(CLI::App& app, InventoryArguments& arguments) {
  CLI::App* inventory = app.add_subcommand(
      "inventory", "Keep the organisation's key inventory (hashes, never values)");
  inventory->require_subcommand(1);
  const std::string store_help =
      "Inventory store (default: $KEYSWEEP_STORE or ~/.local/share/keysweep/inventory.db)";

  CLI::App* import =
      inventory->add_subcommand("import", "Import Datadog API responses saved as JSON files");
  import->add_option("--store", arguments.store, store_help);
  import
      ->add_option("files", arguments.files,
                   "Saved API responses (api_keys, application_keys, ...)")
      ->required();

  CLI::App* sync = inventory->add_subcommand(
      "sync",
      "Fetch every key listing from the Datadog API (DD_API_KEY + DD_APP_KEY, or DD_ACCESS_TOKEN)");
  sync->add_option("--store", arguments.store, store_help);
  sync->add_option("--site", arguments.site, "Datadog site (default: $DD_SITE or datadoghq.com)");
  sync->add_option("--api-url", arguments.api_url, "API base URL instead of a site's (for tests)");

  CLI::App* audit = inventory->add_subcommand(
      "audit", "Check the inventory against Datadog's credential-management practices");
  audit->add_option("--store", arguments.store, store_help);
  audit->add_option("-f,--format", arguments.format, "text, json or sarif")->capture_default_str();
  audit->add_option("-o,--output", arguments.output, "Write the report to FILE (default: stdout)");
  audit->add_option("--now", arguments.now,
                    "Audit as of this date (default: now), for reproducible reports");
  audit
      ->add_option("--findings", arguments.findings,
                   "A json scan report (repeatable): keys found in several repositories or "
                   "services are shared")
      ->allow_extra_args(false);
  audit->add_option("--config", arguments.config,
                    "Read this config instead of the nearest .keysweep.toml");
  audit->add_flag("--no-config", arguments.no_config, "Read no .keysweep.toml");

  CLI::App* list = inventory->add_subcommand("list", "Show the inventory (never key values)");
  list->add_option("--store", arguments.store, store_help);
  list->add_option("-f,--format", arguments.format, "text or json")->capture_default_str();
  return inventory;
}

int run_inventory_command(CLI::App& inventory_command, const InventoryArguments& arguments) {
  if (inventory_command.get_subcommand("import")->parsed()) return run_import(arguments);
  if (inventory_command.get_subcommand("sync")->parsed()) return run_sync(arguments);
  if (inventory_command.get_subcommand("list")->parsed()) return run_list(arguments);
  if (inventory_command.get_subcommand("audit")->parsed()) return run_audit(arguments);
  return int(ExitCode::usage);
}

}  // namespace keysweep
