#include "cli/cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/audit_commands.h"
#include "cli/hook_commands.h"
#include "cli/inventory_commands.h"
#include "cli/option_checks.h"
#include "config/project_config.h"
#include "keysweep_config.h"
#include "matcher/database_cache.h"
#include "matcher/matcher.h"
#include "net/online_verify.h"
#include "pipeline/pipeline.h"
#include "policy/baseline.h"
#include "reporter.h"
#include "rules/rule_loader.h"
#include "scan/git_scan.h"
#include "scan/rule_check.h"
#include "scan/scan.h"
#include "util/diagnostics.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/interrupt.h"
#include "util/paths.h"
#include "util/safe_write.h"

namespace keysweep {
namespace {

// Raw option values as parsed; validated into real settings before any work.
struct ScanArguments {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;
  std::vector<std::string> rule_paths;
  std::string max_file_size;  // empty: the config's, else 100M
  unsigned threads = 0;
  bool show_secrets = false;
  bool no_cache = false;
  std::string color = "auto";
  bool history = false;
  std::string range;
  std::string since;
  std::string commits_from;  // a file of commit ids, "-" for stdin
  bool staged = false;
  std::vector<std::string> branches;  // --branch
  std::string since_commit;
  std::vector<std::string> excludes;
  bool gitignore = false;
  bool one_file_system = false;
  bool progress = false;
  bool no_progress = false;
  bool quiet = false;
  bool verbose = false;
  std::string inventory;
  bool verify = false;
  std::string site;
  std::string api_url;
  std::string config;
  bool no_config = false;
  std::string baseline;
  bool report_unused_baseline = false;
  std::string fail_on;
  bool strict = false;
  AuditArguments audit;  // --datastore, --repos-from, --shard
};

/// -j: 0 is one per core; more than this is a typo, not a machine.
constexpr unsigned kMaxThreads = 256;

struct RulesArguments {
  std::vector<std::string> rule_paths;
  std::string format = "text";
};

std::size_t parse_size(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string suffix = text.substr(digits);
  for (char& c : suffix) c = char(std::toupper(static_cast<unsigned char>(c)));
  if (!suffix.empty() && suffix.back() == 'B') suffix.pop_back();
  if (suffix.size() == 2 && suffix[1] == 'I') suffix.pop_back();  // KiB, MiB, GiB
  int shift = suffix.empty()  ? 0
              : suffix == "K" ? 10
              : suffix == "M" ? 20
              : suffix == "G" ? 30
                              : -1;
  if (digits == 0 || shift < 0) {
    throw UsageError("--max-file-size: '" + text +
                     "' is not a size (examples: 1048576, 512K, 100M, 2G)");
  }
  return std::stoull(text.substr(0, digits)) << shift;
}

ReportFormat parse_format(const std::string& name) {
  std::optional<ReportFormat> format = parse_report_format(name);
  if (!format) throw UsageError("--format: '" + name + "' is not one of text, json, sarif, junit");
  return *format;
}

bool use_color(const std::string& mode, const SafeWriter& output) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (mode != "auto") throw UsageError("--color: '" + mode + "' is not one of auto, always, never");
  const char* term = std::getenv("TERM");
  return output.is_stdout() && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
         !(term != nullptr && std::string(term) == "dumb");
}

Ruleset load_ruleset(const std::vector<std::string>& extra_paths, bool include_builtin) {
  Ruleset ruleset;
  if (include_builtin) load_builtin_rules(ruleset);
  for (const std::string& path : extra_paths) load_rules_path(path, ruleset);
  print_rule_notes(ruleset);
  return ruleset;
}

/// The commits named in `source` ("-": stdin), one per line as `git rev-list`
/// prints them; only the first word of a line counts, blank lines are skipped.
std::vector<std::string> read_commit_list(const std::string& source) {
  std::ifstream file;
  if (source != "-") {
    file.open(source);
    if (!file) {
      throw UsageError("--commits-from: cannot read '" + source + "': " + std::strerror(errno));
    }
  }
  std::istream& in = source == "-" ? std::cin : file;
  std::vector<std::string> commits;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    if (words >> first) commits.push_back(first);
  }
  if (in.bad()) throw UsageError("--commits-from: cannot read '" + source + "'");
  return commits;
}

/// The git scan the flags ask for, if any. Git scans take at most one PATH,
/// inside the repository; without one the repository comes from the
/// environment (GIT_DIR, as git sets it for hooks) or the current directory.
std::optional<GitScanOptions> git_scan_options(const ScanArguments& arguments,
                                               const ScanOptions& tree_options) {
  if (arguments.progress && arguments.no_progress)
    throw UsageError("choose one of --progress and --no-progress");
  // --branch and --since-commit limit a history scan, and ask for one by themselves.
  bool limited_history = !arguments.branches.empty() || !arguments.since_commit.empty();
  int modes = int(arguments.history || limited_history) + int(!arguments.range.empty()) +
              int(!arguments.since.empty()) + int(!arguments.commits_from.empty()) +
              int(arguments.staged);
  if (modes == 0) {
    if (arguments.progress) {
      throw UsageError("--progress goes with --history, --range, --since or --commits-from");
    }
    return std::nullopt;
  }
  if (modes > 1) {
    throw UsageError(
        limited_history ? "--branch and --since-commit limit a --history scan; they do not go with "
                          "--range, --since, --commits-from or --staged"
                        : "choose one of --history, --range, --since, --commits-from and --staged");
  }
  if (!arguments.excludes.empty() || arguments.gitignore || arguments.one_file_system) {
    throw UsageError(
        "--exclude, --gitignore and --one-file-system scope directory scans, not git scans");
  }
  if (arguments.paths.size() > 1 && arguments.audit.datastore.empty()) {
    throw UsageError("a git scan takes one PATH (the repository), not " +
                     std::to_string(arguments.paths.size()));
  }
  GitScanOptions git;
  git.mode = arguments.history || limited_history ? GitScanMode::history
             : arguments.staged                   ? GitScanMode::staged
                                                  : GitScanMode::range;
  git.range = !arguments.range.empty() ? arguments.range : arguments.since;
  if (!arguments.range.empty() && arguments.range.find("..") == std::string::npos) {
    throw UsageError("--range: '" + arguments.range + "' is not a range A..B (use --since REV)");
  }
  if (!arguments.commits_from.empty()) git.commits = read_commit_list(arguments.commits_from);
  git.branches = arguments.branches;
  git.since_commit = arguments.since_commit;
  git.repository = arguments.paths.empty() ? "" : arguments.paths.front();
  git.max_file_size = tree_options.max_file_size;
  git.threads = tree_options.threads;
  // A progress line only for people: on a terminal, not in CI, or when asked.
  git.progress = arguments.progress ||
                 (!arguments.no_progress && !arguments.quiet && git.mode != GitScanMode::staged &&
                  ::isatty(STDERR_FILENO) && std::getenv("CI") == nullptr);
  return git;
}

/// --verify's settings from the flags and the environment; none without --verify.
std::optional<VerifyOptions> verify_options(const ScanArguments& arguments) {
  if (!arguments.verify) {
    if (!arguments.site.empty() || !arguments.api_url.empty()) {
      throw UsageError("--site and --api-url go with --verify");
    }
    return std::nullopt;
  }
  VerifyOptions verify;
  ApiTarget target = resolve_api_target(arguments.site, arguments.api_url);
  verify.api_url = arguments.api_url.empty() ? "" : target.base_url;
  // Only a site someone chose narrows the search; the default is "try them all".
  const char* dd_site = std::getenv("DD_SITE");
  if (!arguments.site.empty() || (dd_site && *dd_site)) verify.configured_site = target.site;
  if (const char* api_key = std::getenv("DD_API_KEY")) verify.paired_api_key = api_key;
  return verify;
}

/// fail_on live or unknown judges findings by what an inventory or the API
/// says; with neither, no finding would ever fail and a hook would pass
/// anything. That is refused rather than silently turning the gate off.
void check_fail_on_has_evidence(const ScanArguments& arguments, const ScanPlan& plan) {
  if (plan.policy.fail_on == FailOn::any || !plan.inventory.empty() || plan.verify) return;
  std::string source = !arguments.fail_on.empty()
                           ? "--fail-on " + arguments.fail_on
                           : "fail_on = \"" + std::string(fail_on_name(plan.policy.fail_on)) +
                                 "\" in " + plan.config.path;
  throw UsageError(
      source +
      " needs an inventory or --verify to tell live keys from dead ones; without either, "
      "no finding has a liveness to judge. Give --inventory PATH, inventory = \"PATH\" in "
      ".keysweep.toml, "
      "KEYSWEEP_STORE, or --verify; or use fail_on = \"any\"");
}

/// The raw flags and .keysweep.toml, validated into the plan the pipeline
/// runs. Every UsageError about flags or config is raised here, before any work.
ScanPlan plan_scan(const ScanArguments& arguments) {
  ScanPlan plan;
  // An audit spans repositories: none of their own configs applies to the others.
  bool audit = !arguments.audit.datastore.empty();
  plan.config =
      audit && arguments.config.empty() && !arguments.no_config
          ? ProjectConfig{}
          : choose_project_config(arguments.config, arguments.no_config,
                                  arguments.paths.empty() ? "." : arguments.paths.front());
  plan.extra_rules = arguments.rule_paths;
  if (!arguments.no_cache) plan.cache_dir = default_cache_dir();
  plan.tree.paths = arguments.paths.empty() ? std::vector<std::string>{"."} : arguments.paths;
  plan.tree.max_file_size = parse_size(!arguments.max_file_size.empty() ? arguments.max_file_size
                                       : plan.config.max_file_size      ? *plan.config.max_file_size
                                                                        : "100M");
  if (arguments.threads > kMaxThreads) {
    throw UsageError("-j/--threads: " + std::to_string(arguments.threads) + " is out of range 0.." +
                     std::to_string(kMaxThreads) + " (0: one per core)");
  }
  plan.tree.threads = arguments.threads;
  plan.tree.excludes = arguments.excludes;
  plan.tree.gitignore = arguments.gitignore;
  plan.tree.one_file_system = arguments.one_file_system;
  // Rules and allowlists see paths from the config's directory, whatever was scanned.
  plan.tree.rule_paths = PathRebase(scan_root(plan.tree.paths), plan.config.directory());
  plan.git = git_scan_options(arguments, plan.tree);
  plan.audit = audit_options(arguments.audit, arguments.paths, plan.git, arguments.verify,
                             arguments.show_secrets);
  // A misspelt PATH must not pass as a clean scan of nothing (as in gitleaks).
  if (!plan.git && !plan.audit) {
    for (const std::string& path : plan.tree.paths) {
      struct stat info;
      if (path != "-" && ::lstat(path.c_str(), &info) != 0 &&
          (errno == ENOENT || errno == ENOTDIR)) {
        throw UsageError(path + ": no such file or directory");
      }
    }
  }
  plan.strict = arguments.strict || plan.config.strict;
  plan.quiet = arguments.quiet;
  if (plan.git) {
    plan.git->rule_paths = PathRebase(work_tree_top(plan.git->repository), plan.config.directory());
  }

  plan.policy.fail_on = plan.config.fail_on.value_or(FailOn::any);
  if (!arguments.fail_on.empty()) {
    std::optional<FailOn> fail_on = parse_fail_on(arguments.fail_on);
    if (!fail_on)
      throw UsageError("--fail-on: '" + arguments.fail_on + "' is not one of live, unknown, any");
    plan.policy.fail_on = *fail_on;
  }
  plan.policy.fail_on_client_tokens = plan.config.fail_on_client_tokens;
  plan.policy.baseline_path =
      !arguments.baseline.empty() ? arguments.baseline : plan.config.baseline.value_or("");
  plan.inventory =
      !arguments.inventory.empty() ? arguments.inventory : plan.config.inventory.value_or("");
  const char* store = std::getenv("KEYSWEEP_STORE");
  if (plan.inventory.empty() && plan.policy.fail_on != FailOn::any && store != nullptr &&
      *store != '\0') {
    plan.inventory = store;
  }
  plan.verify = verify_options(arguments);
  check_fail_on_has_evidence(arguments, plan);
  return plan;
}

/// -v: which config and rules the scan uses and what it reads, on stderr.
void describe_plan(const ScanArguments& arguments, const ScanPlan& plan) {
  if (arguments.quiet && arguments.verbose) throw UsageError("choose one of --quiet and --verbose");
  if (!arguments.verbose) return;
  std::cerr << "keysweep: config: "
            << (plan.config.path.empty() ? std::string("none") : terminal_safe(plan.config.path))
            << '\n';
  auto list = [](const std::vector<std::string>& items) {
    std::string text;
    for (const std::string& item : items) text += (text.empty() ? "" : ", ") + terminal_safe(item);
    return text;
  };
  if (!plan.git) {
    std::cerr << "keysweep: scanning: " << list(plan.tree.paths) << '\n';
    if (!plan.tree.excludes.empty())
      std::cerr << "keysweep: excluding: " << list(plan.tree.excludes) << '\n';
    if (plan.tree.gitignore) std::cerr << "keysweep: leaving out what git ignores\n";
    if (plan.tree.one_file_system) std::cerr << "keysweep: staying on each PATH's file system\n";
    return;
  }
  const GitScanOptions& git = *plan.git;
  std::string repository =
      git.repository.empty() ? "the repository of $GIT_DIR or ." : terminal_safe(git.repository);
  std::cerr << "keysweep: scanning: ";
  if (git.mode == GitScanMode::staged)
    std::cerr << "the staged changes of " << repository;
  else if (git.commits)
    std::cerr << git.commits->size() << " listed commits of " << repository;
  else if (git.mode == GitScanMode::range)
    std::cerr << "the commits " << terminal_safe(git.range) << " of " << repository;
  else
    std::cerr << "the history of " << repository << " reachable from "
              << (git.branches.empty() ? std::string("every ref") : list(git.branches));
  if (!git.since_commit.empty()) std::cerr << ", after " << terminal_safe(git.since_commit);
  std::cerr << '\n';
}

/// -v: the rules the run used (they are loaded by the pipeline).
void describe_rules(const ScanArguments& arguments, const Ruleset& ruleset) {
  if (!arguments.verbose) return;
  std::size_t builtin =
      std::size_t(std::count_if(ruleset.rules.begin(), ruleset.rules.end(), [](const Rule& rule) {
        return rule.source.starts_with("builtin:");
      }));
  std::cerr << "keysweep: rules: " << ruleset.rules.size() << " (" << builtin << " built in)\n";
}

int run_scan(const ScanArguments& arguments) {
  ReportFormat format = parse_format(arguments.format);
  ScanPlan plan = plan_scan(arguments);
  describe_plan(arguments, plan);
  if (arguments.report_unused_baseline && plan.policy.baseline_path.empty()) {
    throw UsageError(
        "--report-unused-baseline needs a baseline (--baseline FILE, or baseline in "
        ".keysweep.toml)");
  }
  if (!plan.policy.baseline_path.empty())
    plan.policy.baseline = load_baseline(plan.policy.baseline_path);
  // Opened before the scan: a destination keysweep may not write fails the run before any work.
  SafeWriter output(arguments.output,
                    arguments.show_secrets ? FileAccess::owner_only : FileAccess::shared);
  ReportOptions report_options;
  report_options.show_secrets = arguments.show_secrets;
  report_options.quiet = arguments.quiet;
  report_options.color = use_color(arguments.color, output);

  ScanOutcome outcome = run_scan_pipeline(plan);
  describe_rules(arguments, *outcome.ruleset);
  Report report{outcome.result,
                *outcome.ruleset,
                outcome.warnings,
                outcome.policy.baselined,
                {},
                plan.policy.fail_on_client_tokens};
  report.allowlisted = outcome.policy.allowlisted;
  report.inline_allowed = outcome.policy.inline_allowed;
  if (arguments.report_unused_baseline) report.unused_baseline = outcome.policy.unused_baseline;
  write_report(format, report, report_options, output.stream());
  output.commit();
  ExitCode exit_code = scan_exit_code(plan, outcome);
  if (const auto& failed = outcome.result.failed_repositories; !failed.empty()) {
    std::cerr << "keysweep: error: " << failed.size() << " of " << outcome.result.repositories
              << " repositories could not be scanned (named above); the others are reported and "
                 "stored in "
              << plan.audit->datastore << '\n';
  } else if (exit_code == ExitCode::runtime) {
    std::cerr << "keysweep: error: --strict: " << outcome.warnings.size()
              << (outcome.warnings.size() == 1 ? " warning" : " warnings")
              << "; the scan is incomplete\n";
  }
  return int(exit_code);
}

/// `baseline create`: today's findings, written where --baseline will read them.
int run_baseline_create(const ScanArguments& arguments) {
  ScanPlan plan = plan_scan(arguments);
  describe_plan(arguments, plan);
  std::string path = !arguments.output.empty() ? arguments.output
                     : plan.config.baseline    ? *plan.config.baseline
                                               : ".keysweep-baseline.json";
  plan.policy.baseline_path.clear();  // the baseline is what this writes, not a filter
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
    create_directories(parent, 0755);
  SafeWriter output(path, FileAccess::shared);
  ScanOutcome outcome = run_scan_pipeline(plan);
  const ScanResult& result = outcome.result;
  std::size_t entries = write_baseline(
      result.findings, PathRebase(result.root, baseline_base(result.repository_root, path)),
      output.stream());
  output.commit();
  if (!arguments.quiet) {
    // Entries are unique by (path, rule, secret): a secret twice in one file is one entry.
    std::cerr << "keysweep: baseline of " << entries << (entries == 1 ? " entry" : " entries")
              << " (" << result.findings.size() << " findings) written to " << path << '\n';
  }
  return 0;
}

/// A token rule's shapes as JSON: [{prefix, charset, length}].
nlohmann::ordered_json token_shapes(const Rule& rule) {
  nlohmann::ordered_json shapes = nlohmann::ordered_json::array();
  for (const TokenShape& shape : rule.tokens) {
    shapes.push_back(
        {{"prefix", shape.prefix}, {"charset", shape.charset}, {"length", shape.length}});
  }
  return shapes;
}

int run_rules_list(const RulesArguments& arguments) {
  Ruleset ruleset = load_ruleset(arguments.rule_paths, true);
  if (arguments.format == "json") {
    nlohmann::ordered_json rules = nlohmann::ordered_json::array();
    for (const Rule& rule : ruleset.rules) {
      rules.push_back(
          {{"id", rule.id},
           {"name", rule.name},
           {"key_type", rule.check == RuleCheck::none ? nlohmann::ordered_json(rule.key_type)
                                                      : nlohmann::ordered_json(nullptr)},
           {"severity", severity_name(rule.severity)},
           {"description", rule.description},
           {"check", rule.check == RuleCheck::none
                         ? nlohmann::ordered_json(nullptr)
                         : nlohmann::ordered_json(rule_check_name(rule.check))},
           {"keywords", rule.keywords},
           {"tokens", token_shapes(rule)},
           {"context", rule.context ? nlohmann::ordered_json(rule.context->id)
                                    : nlohmann::ordered_json(nullptr)},
           {"mentions", rule.context ? rule.context->mentions : std::vector<std::string>{}},
           {"regex", rule.regex},
           {"path", rule.path_regex},
           {"tags", rule.tags},
           {"source", rule.source}});
    }
    std::cout << rules.dump(2) << '\n';
    return 0;
  }
  if (arguments.format != "text")
    throw UsageError("--format: '" + arguments.format + "' is not one of text, json");
  // Columns as wide as their longest cell plus two spaces, so long ids
  // (gitleaks', Kingfisher's) never run into the next column.
  std::size_t id_width = 2, type_width = 8;
  for (const Rule& rule : ruleset.rules) {
    std::string kind = rule.check == RuleCheck::none ? rule.key_type : "(check)";
    id_width = std::max(id_width, rule.id.size());
    type_width = std::max(type_width, kind.size());
  }
  std::cout << std::left << std::setw(int(id_width + 2)) << "ID" << std::setw(int(type_width + 2))
            << "KEY TYPE" << std::setw(10) << "SEVERITY"
            << "NAME\n";
  for (const Rule& rule : ruleset.rules) {
    std::string kind = rule.check == RuleCheck::none ? rule.key_type : "(check)";
    std::cout << std::setw(int(id_width + 2)) << rule.id << std::setw(int(type_width + 2)) << kind
              << std::setw(10) << severity_name(rule.severity) << rule.name << '\n';
  }
  return 0;
}

int run_rules_check(const std::vector<std::string>& paths) {
  Ruleset ruleset = load_ruleset(paths, paths.empty());
  Diagnostics diagnostics;
  MatcherOptions options;
  options.keep_skip_report = true;  // a helper rule's examples are checked too
  Matcher matcher(ruleset, options, diagnostics);
  std::vector<RuleCheckProblem> problems = check_rule_examples(matcher);
  std::size_t examples = 0;
  for (const Rule& rule : ruleset.rules) {
    examples += rule.examples.size() + rule.negative_examples.size();
    if (rule.examples.empty() && rule.check != RuleCheck::inventory) {
      std::cout << rule.source << ": rule '" << rule.id << "': note: no examples to check\n";
    }
  }
  for (const RuleCheckProblem& problem : problems) {
    std::cout << problem.source << ": rule '" << problem.rule_id << "': " << problem.message
              << '\n';
  }
  std::cout << ruleset.rules.size() << " rules, " << examples << " examples: "
            << (problems.empty() ? "all pass" : std::to_string(problems.size()) + " problems")
            << '\n';
  return problems.empty() ? 0 : 1;
}

/// An unset variable in `-o "$REPORT"` must not turn into "standard output".
const CLI::Validator kNonEmptyPath = non_empty("an empty path (use - for standard output)", "PATH");

/// What to scan and how: shared by `scan` and `baseline create`.
void add_input_options(CLI::App& command, ScanArguments& arguments) {
  command.add_option("paths", arguments.paths, "Files and directories to scan (default: .)");
  command
      .add_option("--rules", arguments.rule_paths,
                  "Add rules from a file (TOML: keysweep or gitleaks; YAML: Nosey Parker or "
                  "Kingfisher) or a directory of them (repeatable)")
      ->allow_extra_args(false);  // one value per --rules, so PATHs after it stay paths
  command.add_option("--config", arguments.config,
                     "Read this config file instead of the nearest .keysweep.toml");
  command.add_flag("--no-config", arguments.no_config, "Read no .keysweep.toml");
  command.add_option("--max-file-size", arguments.max_file_size,
                     "Skip files larger than this (bytes, or with K, M, G; default 100M)");
  command.add_option("-j,--threads", arguments.threads,
                     "Worker threads, 0..256 (default 0: one per core)");
  command.add_flag("--no-cache", arguments.no_cache,
                   "Do not read or write the compiled rule database cache");
  command.add_flag("--history", arguments.history,
                   "Scan every blob reachable from every ref of the repository at PATH");
  command.add_option("--range", arguments.range,
                     "Scan the lines that the commits in A..B add (each against its parents)");
  command.add_option("--since", arguments.since, "Same as --range REV..HEAD");
  command.add_option("--commits-from", arguments.commits_from,
                     "Scan exactly the commits listed in this file (- for stdin), one id a line, "
                     "as `git rev-list` prints them");
  command.add_flag("--staged", arguments.staged,
                   "Scan what `git commit` would add: lines added in the index relative to HEAD");
  command
      .add_option("--branch", arguments.branches,
                  "Scan the history this branch (or any ref) reaches, not every ref's "
                  "(repeatable; implies --history)")
      ->allow_extra_args(false);
  command.add_option("--since-commit", arguments.since_commit,
                     "Scan only the history after this commit (implies --history)");
  command
      .add_option("--exclude", arguments.excludes,
                  "Leave out files and directories matching this gitignore-style glob, relative "
                  "to the scanned directory (repeatable; directory scans)")
      ->allow_extra_args(false);
  command.add_flag(
      "--gitignore", arguments.gitignore,
      "Leave out what git ignores (.gitignore, .git/info/exclude; default: scan everything)");
  command.add_flag("--one-file-system", arguments.one_file_system,
                   "Do not descend into other file systems (mount points such as /proc, /sys)");
  command.add_flag("--progress", arguments.progress,
                   "Show progress on stderr during git scans (default: on a terminal, not in CI)");
  command.add_flag("--no-progress", arguments.no_progress, "Never show progress");
  command.add_flag(
      "-q,--quiet", arguments.quiet,
      "Print only findings and errors: no warnings on stderr, no progress, no summary");
  command.add_flag("-v,--verbose", arguments.verbose,
                   "Also say on stderr which config and rules are used and what is scanned");
  command.add_option("--inventory", arguments.inventory,
                     "Label findings live/revoked/expired/unknown from this inventory store, "
                     "and find its keys anywhere by hash (default: inventory in .keysweep.toml)");
  command.add_flag("--verify", arguments.verify,
                   "Ask the Datadog API whether each unique secret works (sends secrets to "
                   "Datadog's API hosts only)");
  command.add_option("--site", arguments.site,
                     "Datadog site for --verify (default: DD_SITE, a site named near the key, "
                     "else every site in turn)");
  command.add_option("--api-url", arguments.api_url,
                     "API base URL for --verify instead of Datadog's (for tests)");
  add_audit_options(command, arguments.audit);
}

/// Every command's --help ends with what its exit code means.
constexpr const char* kExitCodesHelp =
    "Exit codes: 0 clean (nothing found, or success); 1 findings that fail the run (scan, "
    "inventory audit) or example problems (rules check); 2 usage error or bad input (a flag, "
    "a PATH, a rule or config file: the message names it); 3 runtime failure (a damaged "
    "repository, a failed write; any warning with --strict); 130/143 interrupted.\n";

void add_exit_codes_footer(CLI::App& command) {
  command.footer(kExitCodesHelp);
  for (CLI::App* sub : command.get_subcommands({})) add_exit_codes_footer(*sub);
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) from a to b.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

/// An argument where a command's subcommand belongs that names none: the
/// nearest subcommand as a suggestion (a typo is at most a third of the
/// word away), thrown as a usage error. CLI11 alone would say "not expected".
void check_subcommand_names(const CLI::App& app, int argc, char** argv) {
  const CLI::App* command = &app;
  std::string path = "keysweep";
  for (int i = 1; i < argc && std::string_view(argv[i]).substr(0, 1) != "-"; ++i) {
    std::vector<const CLI::App*> subcommands = command->get_subcommands({});
    if (subcommands.empty()) return;
    std::string given = argv[i];
    const CLI::App* best = nullptr;
    std::size_t best_distance = std::string::npos;
    for (const CLI::App* sub : subcommands) {
      if (sub->get_name() == given) {
        best = sub;
        best_distance = 0;
        break;
      }
      std::size_t distance = edit_distance(given, sub->get_name());
      if (distance < best_distance) best = sub, best_distance = distance;
    }
    if (best_distance == 0) {
      command = best;
      path += " " + given;
      continue;
    }
    std::string message = "'" + given + "' is not a " + path + " command";
    if (best && best_distance <= std::max<std::size_t>(1, best->get_name().size() / 3 + 1)) {
      message += "; did you mean " + best->get_name() + "?";
    } else {
      std::string names;
      for (const CLI::App* sub : subcommands)
        names += (names.empty() ? "" : ", ") + sub->get_name();
      message += " (commands: " + names + ")";
    }
    throw UsageError(message);
  }
}

}  // namespace

int run_cli(int argc, char** argv) {
  install_interrupt_handlers();
  CLI::App app{"keysweep: find leaked Datadog credentials in files, trees and git history"};
  app.set_version_flag("--version", KEYSWEEP_VERSION);
  app.require_subcommand(1);

  ScanArguments scan;
  CLI::App* scan_command =
      app.add_subcommand("scan", "Scan files, directories (- is stdin) or git history");
  add_input_options(*scan_command, scan);
  scan_command->add_option("-f,--format", scan.format, "Report format: text, json, sarif, junit")
      ->capture_default_str();
  scan_command->add_option("-o,--output", scan.output, "Write the report to FILE (default: stdout)")
      ->check(kNonEmptyPath);
  scan_command->add_flag("--show-secrets", scan.show_secrets,
                         "Print secrets in clear (default: redacted)");
  scan_command->add_option("--color", scan.color, "Colour text output: auto, always, never")
      ->capture_default_str();
  scan_command->add_option(
      "--baseline", scan.baseline,
      "Report only findings not in this baseline (default: baseline in .keysweep.toml)");
  scan_command->add_flag("--report-unused-baseline", scan.report_unused_baseline,
                         "Also list baseline entries that are no longer found");
  scan_command->add_option(
      "--fail-on", scan.fail_on,
      "Which findings fail the scan: live, unknown, any (default: any that is not "
      "revoked or expired)");
  scan_command->add_flag(
      "--strict", scan.strict,
      "Fail (exit 3) on any warning: an unreadable file, a missing git object, a file "
      "too large or binary to scan (default: strict in .keysweep.toml)");

  ScanArguments baseline_arguments;
  CLI::App* baseline_command =
      app.add_subcommand("baseline", "Record today's findings as accepted");
  baseline_command->require_subcommand(1);
  CLI::App* baseline_create = baseline_command->add_subcommand(
      "create", "Scan as `keysweep scan` would and write the findings as a baseline");
  add_input_options(*baseline_create, baseline_arguments);
  baseline_create
      ->add_option(
          "-o,--output", baseline_arguments.output,
          "Baseline file (default: baseline in .keysweep.toml, else .keysweep-baseline.json)")
      ->check(kNonEmptyPath);

  HookArguments hook_arguments;
  CLI::App* hook_command = add_hook_commands(app, hook_arguments);

  ReportArguments report_arguments;
  CLI::App* report_command = add_report_command(app, report_arguments);
  std::vector<std::string> merge_paths;
  CLI::App* merge_command = add_datastore_commands(app, merge_paths);

  InventoryArguments inventory_arguments;
  CLI::App* inventory_command = add_inventory_commands(app, inventory_arguments);

  CLI::App* rules_command = app.add_subcommand("rules", "List or check rules");
  rules_command->require_subcommand(1);
  RulesArguments list;
  CLI::App* list_command = rules_command->add_subcommand("list", "List the rules in use");
  list_command
      ->add_option("--rules", list.rule_paths, "Also list rules from this file or directory")
      ->allow_extra_args(false);
  list_command->add_option("-f,--format", list.format, "text or json")->capture_default_str();
  std::vector<std::string> check_paths;
  CLI::App* check_command = rules_command->add_subcommand(
      "check", "Check that every rule's examples match and negative examples do not");
  check_command->add_option("paths", check_paths,
                            "Rule files or directories (default: the built-in rules)");

  add_exit_codes_footer(app);
  try {
    check_subcommand_names(app, argc, argv);
  } catch (const UsageError& error) {
    std::cerr << "keysweep: error: " << terminal_safe(error.what())
              << "\nRun 'keysweep --help' for usage.\n";
    return int(ExitCode::usage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "keysweep: error: " << error.what() << "\nRun 'keysweep --help' for usage.\n";
    return int(ExitCode::usage);
  }

  try {
    if (scan_command->parsed()) return run_scan(scan);
    if (baseline_create->parsed()) return run_baseline_create(baseline_arguments);
    if (hook_command->parsed()) return run_hook_command(*hook_command, hook_arguments);
    if (inventory_command->parsed())
      return run_inventory_command(*inventory_command, inventory_arguments);
    if (list_command->parsed()) return run_rules_list(list);
    if (report_command->parsed()) return run_report(report_arguments);
    if (merge_command->parsed()) return run_datastore_merge(merge_paths);
    if (check_command->parsed()) return run_rules_check(check_paths);
  } catch (const UsageError& error) {
    std::cerr << "keysweep: error: " << terminal_safe(error.what()) << '\n';
    return int(ExitCode::usage);
  } catch (const std::exception& error) {
    std::cerr << "keysweep: error: " << terminal_safe(error.what()) << '\n';
    return int(ExitCode::runtime);
  }
  return int(ExitCode::usage);
}

}  // namespace keysweep
