#include "scan/content_scanner.h"

#include <algorithm>

#include "lint/repository_lint.h"
#include "policy/policy.h"
#include "util/diagnostics.h"

namespace keysweep {
namespace {

void mark_client_tokens(std::string_view bytes, std::string_view path,
                        std::span<Finding> findings) {
  std::optional<CodeSide> side;  // judged once a client token is found
  for (Finding& finding : findings) {
    if (finding.key_kind != KeyKind::rum_client_token) continue;
    if (!side) side = code_side(path, bytes);
    finding.client_token_in_browser_code = *side == CodeSide::browser;
  }
}

}  // namespace

ContentScanner::ContentScanner(const Matcher& matcher, Diagnostics& diagnostics,
                               PathRebase rule_paths, RunChecks checks)
    : matcher_(matcher),
      diagnostics_(diagnostics),
      rule_paths_(std::move(rule_paths)),
      checks_(checks),
      scratch_(matcher.make_scratch()) {
  const Ruleset& ruleset = matcher.ruleset();
  for (std::uint32_t index = 0; index < ruleset.rules.size(); ++index) {
    if (ruleset.rules[index].check == RuleCheck::repository)
      lint_rules_[ruleset.rules[index].id] = index;
  }
  auto lists_commits = [](const std::vector<Allowlist>& lists) {
    return std::any_of(lists.begin(), lists.end(),
                       [](const Allowlist& allowlist) { return !allowlist.commits.empty(); });
  };
  commit_allowlists_ =
      lists_commits(ruleset.global_allowlists) ||
      std::any_of(ruleset.rules.begin(), ruleset.rules.end(),
                  [&](const Rule& rule) { return lists_commits(rule.allowlists); });
}

std::string ContentScanner::rule_path_of(const std::string& path) const {
  // A path outside the config's directory is seen as named: no glob of it is anchored there.
  if (rule_paths_.is_identity()) return path;
  return rule_paths_(path).value_or(path);
}

std::size_t ContentScanner::scan(std::string_view bytes, const std::string& path,
                                 std::vector<Finding>& out, ScanStats* set_aside) {
  matches_.clear();
  std::string rule_path = rule_path_of(path);
  matcher_.find(bytes, std::string_view(rule_path), *scratch_, matches_);
  return build(bytes, path, rule_path, std::nullopt, out, set_aside);
}

void ContentScanner::find_unplaced(std::string_view bytes, std::vector<RawMatch>& out) {
  matcher_.find(bytes, std::nullopt, *scratch_, out);
}

std::size_t ContentScanner::findings_at(std::string_view bytes, const std::string& path,
                                        std::vector<RawMatch> matches, std::vector<Finding>& out,
                                        std::string_view commit) {
  std::string rule_path = rule_path_of(path);
  // Allowlists that list commits judge every match at a place with a commit.
  std::optional<std::string_view> place_commit;
  if (commit_allowlists_ && !commit.empty()) place_commit = commit;
  matches_.clear();
  for (const RawMatch& match : matches) {
    if (!place_commit && !matcher_.depends_on_path(match.rule)) {
      matches_.push_back(match);
    } else if (auto placed = at_path(matcher_.ruleset(), match, bytes, rule_path, place_commit)) {
      matches_.push_back(*placed);
    }
  }
  return build(bytes, path, rule_path, place_commit, out, nullptr);
}

std::size_t ContentScanner::build(std::string_view bytes, const std::string& path,
                                  std::string_view rule_path,
                                  std::optional<std::string_view> commit, std::vector<Finding>& out,
                                  ScanStats* set_aside) {
  std::size_t before = out.size();
  if (!matches_.empty()) build_findings(bytes, path, matcher_.ruleset(), matches_, out, set_aside);
  mark_client_tokens(bytes, path, std::span<Finding>(out).subspan(before));
  if (checks_ == RunChecks::yes && !path.empty() && !lint_rules_.empty()) {
    // The checks judge the reported secrets only, as if the set-aside ones were not there.
    auto reported_end = std::stable_partition(
        out.begin() + std::ptrdiff_t(before), out.end(),
        [](const Finding& finding) { return finding.suppressed_by == Suppression::none; });
    run_lint(bytes, path, rule_path, commit,
             std::span<const Finding>(out.begin() + std::ptrdiff_t(before), reported_end), out);
  }
  if (set_aside != nullptr) set_aside_marked(out, before, *set_aside);
  return out.size() - before;
}

void ContentScanner::run_lint(std::string_view bytes, const std::string& path,
                              std::string_view rule_path, std::optional<std::string_view> commit,
                              std::span<const Finding> secrets, std::vector<Finding>& out) {
  std::vector<LintHit> hits;
  lint_file(path, bytes, secrets, hits);
  if (hits.empty()) return;
  std::vector<RawMatch> spans;
  std::vector<bool> sensitive;
  std::vector<Suppression> suppressions;
  for (const LintHit& hit : hits) {
    auto rule = lint_rules_.find(hit.check);
    if (rule == lint_rules_.end()) continue;  // disabled in .keysweep.toml
    spans.push_back(
        {rule->second, hit.offset, hit.offset + hit.length, hit.offset, hit.offset + hit.length});
    sensitive.push_back(hit.sensitive);
    // The same ways out as for secrets: an inline allow, the config's allowlists.
    // Marked here, where the bytes are; the policy stage sets them aside.
    suppressions.push_back(suppression_at(matcher_.ruleset(),
                                          matcher_.ruleset().rules[rule->second], bytes, hit.offset,
                                          hit.length, rule_path, commit));
  }
  std::size_t built = out.size();
  build_lint_findings(bytes, path, matcher_.ruleset(), spans, sensitive, matches_, out);
  for (std::size_t i = 0; i < suppressions.size(); ++i)
    out[built + i].suppressed_by = suppressions[i];
}

}  // namespace keysweep
