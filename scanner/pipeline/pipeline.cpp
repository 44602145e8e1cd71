#include "pipeline/pipeline.h"

#include <optional>
#include <thread>

#include "git/git_handles.h"
#include "git/staged_diff.h"
#include "inventory/inventory_labels.h"
#include "inventory/inventory_store.h"
#include "matcher/matcher.h"
#include "net/http_client.h"
#include "util/diagnostics.h"
#include "util/paths.h"
#include "util/timestamp.h"

namespace keysweep {

ScanOutcome run_scan_pipeline(const ScanPlan& plan) {
  // A staged scan needs no libgit2: git itself reads the index while the
  // rules load. Other git scans initialise libgit2 meanwhile: Debian's build
  // parses the whole system CA bundle (mbedTLS), ~10 ms a local scan never needs.
  std::optional<StagedChangesReader> staged_reader;
  std::optional<std::jthread> git_initialisation;
  if (plan.git && plan.git->mode == GitScanMode::staged) {
    staged_reader.emplace(plan.git->repository);
  } else if (plan.git) {
    git_initialisation.emplace(ensure_libgit2);
  }

  auto ruleset = std::make_unique<Ruleset>(load_configured_ruleset(plan.config, plan.extra_rules));
  // The inventory is read before the matcher is built: its hashes decide
  // whether the sweep rule joins the ruleset.
  std::optional<InventoryIndex> inventory;
  if (!plan.inventory.empty()) {
    InventoryStore store(plan.inventory, StoreAccess::read_only);
    inventory.emplace(store.keys(), store.users(), current_time());
    if (inventory->has_hashes()) ruleset->rules.push_back(make_inventory_sweep_rule(*inventory));
  }

  ScanOutcome outcome;
  Diagnostics diagnostics(plan.quiet);
  {
    MatcherOptions matcher_options;
    matcher_options.cache_dir = plan.cache_dir;
    Matcher matcher(*ruleset, matcher_options, diagnostics);
    if (git_initialisation) git_initialisation->join();
    if (plan.audit) {
      // Findings taken from the datastore are labelled as they are placed.
      AuditOptions audit = *plan.audit;
      if (!plan.inventory.empty())
        audit.ruleset_extra =
            inventory_hashes(InventoryStore(plan.inventory, StoreAccess::read_only));
      auto label = [&inventory](std::vector<Finding>& findings) {
        if (inventory) label_findings(findings, *inventory);
      };
      outcome.result = run_audit(matcher, *ruleset, audit, label, diagnostics);
    } else {
      outcome.result = staged_reader
                           ? scan_staged(matcher, staged_reader->finish(), *plan.git, diagnostics)
                       : plan.git ? scan_git(matcher, *plan.git, diagnostics)
                                  : scan_paths(matcher, plan.tree, diagnostics);
    }
  }
  ScanResult& result = outcome.result;
  // A git scan's root is its work tree's top (or a bare repository: none).
  result.repository_root = work_tree_top(result.root);
  if (plan.git && result.repository_root != result.root) result.repository_root.clear();

  // What an allowlist or an inline allow set aside is counted, never looked up nor verified.
  set_aside_marked(result);
  if (inventory) label_findings(result.findings, *inventory);
  if (plan.verify) verify_findings(result.findings, *plan.verify, HttpClient{}, diagnostics);
  redact_recurring_secrets(result.findings);

  outcome.policy = apply_policy(plan.policy, result);
  outcome.warnings = diagnostics.warnings();
  outcome.ruleset = std::move(ruleset);
  return outcome;
}

ExitCode scan_exit_code(const ScanPlan& plan, const ScanOutcome& outcome) {
  if (!outcome.result.failed_repositories.empty()) return ExitCode::runtime;
  if (plan.strict && !outcome.warnings.empty()) return ExitCode::runtime;
  return outcome.policy.failing == 0 ? ExitCode::clean : ExitCode::findings;
}

}  // namespace keysweep
