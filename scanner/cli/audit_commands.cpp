#include "cli/audit_commands.h"

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <deque>
#include <iostream>
#include <set>

#include "cli/option_checks.h"
#include "config/project_config.h"
#include "inventory/inventory_store.h"
#include "policy/policy.h"
#include "reporter.h"
#include "rules/rule_loader.h"
#include "util/error.h"
#include "util/safe_write.h"

namespace keysweep {

namespace {

/// An empty file name (an unset variable in a script) is refused, not read
/// as "no datastore".
const CLI::Validator names_a_file = non_empty("must name a file, and is empty", "");

}  // namespace

void add_audit_options(CLI::App& command, AuditArguments& arguments) {
  command
      .add_option("--datastore", arguments.datastore,
                  "With --history: scan every PATH or URL given into this datastore, reading "
                  "only blobs it does not know yet")
      ->check(names_a_file);
  command
      .add_option("--repos-from", arguments.repos_from,
                  "With --datastore: also the repositories in this file, one path or URL a line")
      ->check(names_a_file);
  command.add_option(
      "--shard", arguments.shard,
      "With --datastore: only shard I of N of the repositories (I/N, 1-based), or "
      "auto/N with the index from JOB_COMPLETION_INDEX or KEYSWEEP_SHARD_INDEX (0-based)");
}

std::optional<AuditOptions> audit_options(const AuditArguments& arguments,
                                          const std::vector<std::string>& paths,
                                          const std::optional<GitScanOptions>& git, bool verify,
                                          bool show_secrets) {
  if (arguments.datastore.empty()) {
    if (!arguments.repos_from.empty() || !arguments.shard.empty()) {
      throw UsageError("--repos-from and --shard go with --datastore");
    }
    return std::nullopt;
  }
  if (!git || git->mode != GitScanMode::history)
    throw UsageError("--datastore goes with --history");
  if (verify) {
    throw UsageError(
        "--verify does not go with --datastore: findings taken from the datastore have "
        "no secret value to send (use --inventory for liveness)");
  }
  if (show_secrets) {
    throw UsageError(
        "--show-secrets does not go with --datastore: the datastore keeps no secret "
        "values, so an audit's reports are redacted");
  }
  AuditOptions audit;
  audit.datastore = arguments.datastore;
  audit.repositories = paths;
  if (!arguments.repos_from.empty()) {
    std::vector<std::string> listed = read_repository_list(arguments.repos_from);
    audit.repositories.insert(audit.repositories.end(), listed.begin(), listed.end());
  }
  if (audit.repositories.empty()) {
    throw UsageError(
        "--datastore: no repositories to scan (give paths or URLs, or --repos-from FILE)");
  }
  if (!arguments.shard.empty()) audit.shard = parse_shard(arguments.shard);
  audit.git = *git;
  return audit;
}

CLI::App* add_report_command(CLI::App& app, ReportArguments& arguments) {
  CLI::App* command = app.add_subcommand("report", "Report everything an audit datastore holds");
  command
      ->add_option("--datastore", arguments.datastore,
                   "The datastore (from scan --history --datastore)")
      ->required()
      ->check(names_a_file);
  command->add_option("-f,--format", arguments.format, "Report format: text, json, sarif, html")
      ->capture_default_str();
  command->add_option("-o,--output", arguments.output,
                      "Write the report to FILE (default: stdout)");
  command->add_option("--repository", arguments.repository,
                      "Only this repository (as it was given to the scan)");
  command
      ->add_option("--rules", arguments.rule_paths,
                   "Rules the scan used besides the built-in ones, for rule names (repeatable)")
      ->allow_extra_args(false);
  return command;
}

int run_report(const ReportArguments& arguments) {
  bool html = arguments.format == "html";
  std::optional<ReportFormat> format = parse_report_format(arguments.format);
  if (!html && (!format || *format == ReportFormat::junit)) {
    throw UsageError("--format: '" + arguments.format + "' is not one of text, json, sarif, html");
  }
  Datastore datastore(arguments.datastore, DatastoreAccess::read_only);
  // Stored as given less credentials: a URL with them names the same repository.
  const std::string repository = repository_name(arguments.repository);
  if (!repository.empty()) {
    std::vector<std::string> names = datastore.repository_names();
    if (std::find(names.begin(), names.end(), repository) == names.end()) {
      throw UsageError("--repository: '" + repository + "' is not in " + arguments.datastore);
    }
  }
  Ruleset ruleset = load_configured_ruleset(ProjectConfig{}, arguments.rule_paths);
  std::vector<StoredFinding> stored = datastore.findings(repository);
  // Rules the store names but not loaded now join the ruleset first, so every
  // finding's rule has an index there (SARIF refers to rules by index).
  std::deque<Rule> missing;
  findings_from_store(stored, ruleset, missing);
  for (Rule& rule : missing) ruleset.rules.push_back(std::move(rule));
  missing.clear();

  ScanResult result;
  result.findings = findings_from_store(stored, ruleset, missing);
  // The default policy marks what fails (any finding not revoked or expired).
  apply_policy(Policy{}, result);
  SafeWriter output(arguments.output, FileAccess::shared);
  Report report{result, ruleset, {}, 0, {}, false};
  ReportOptions options;
  if (html) {
    write_html_report(report, options, datastore.repository_names(), output.stream());
  } else {
    write_report(*format, report, options, output.stream());
  }
  output.commit();
  return 0;
}

CLI::App* add_datastore_commands(CLI::App& app, std::vector<std::string>& paths) {
  CLI::App* command = app.add_subcommand("datastore", "Work with audit datastores");
  command->require_subcommand(1);
  CLI::App* merge = command->add_subcommand(
      "merge", "Merge shard datastores IN... into OUT (created if missing)");
  merge->add_option("paths", paths, "OUT IN...")->required()->expected(2, -1);
  return merge;
}

int run_datastore_merge(const std::vector<std::string>& paths) {
  struct stat out_file {};
  const bool out_exists = ::stat(paths.front().c_str(), &out_file) == 0;
  for (std::size_t i = 1; i < paths.size(); ++i) {
    struct stat in {};
    // The same file however it is spelled (a symlink, an absolute path).
    const bool same_file = out_exists && ::stat(paths[i].c_str(), &in) == 0 &&
                           in.st_dev == out_file.st_dev && in.st_ino == out_file.st_ino;
    if (paths[i] == paths.front() || same_file)
      throw UsageError(paths[i] + ": a datastore cannot be merged into itself");
    Datastore check(paths[i],
                    DatastoreAccess::read_only);  // every input is checked before OUT changes
  }
  Datastore out(paths.front(), DatastoreAccess::write);
  for (std::size_t i = 1; i < paths.size(); ++i) out.merge_from(paths[i]);
  std::cerr << "keysweep: merged " << paths.size() - 1 << " datastores into " << paths.front()
            << " (" << out.repository_names().size() << " repositories)\n";
  return 0;
}

}  // namespace keysweep
