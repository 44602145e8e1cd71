#include "scan/content_scanner.h"

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
                               PathRebase rule_paths)
    : matcher_(matcher),
      diagnostics_(diagnostics),
      rule_paths_(std::move(rule_paths)),
      scratch_(matcher.make_scratch()) {
  const Ruleset& ruleset = matcher.ruleset();
  for (std::uint32_t index = 0; index < ruleset.rules.size(); ++index) {
    if (ruleset.rules[index].check == RuleCheck::repository)
      lint_rules_[ruleset.rules[index].id] = index;
  }
}

std::size_t ContentScanner::scan(std::string_view bytes, const std::string& path,
                                 std::vector<Finding>& out, bool path_known, bool lint) {
  matches_.clear();
  // A path outside the config's directory is seen as named: no glob of it is anchored there.
  std::optional<std::string> rebased;
  if (!rule_paths_.is_identity()) rebased = rule_paths_(path);
  std::string_view anchored = rebased ? std::string_view(*rebased) : std::string_view(path);
  std::optional<std::string_view> rule_path;
  if (path_known) rule_path = anchored;
  matcher_.find(bytes, rule_path, *scratch_, matches_);
  std::size_t before = out.size();
  if (!matches_.empty()) build_findings(bytes, path, matcher_.ruleset(), matches_, out);
  mark_client_tokens(bytes, path, std::span<Finding>(out).subspan(before));
  if (lint && !path.empty() && !lint_rules_.empty()) run_lint(bytes, path, anchored, before, out);
  return out.size() - before;
}

void ContentScanner::run_lint(std::string_view bytes, const std::string& path,
                              std::string_view rule_path, std::size_t first,
                              std::vector<Finding>& out) {
  std::vector<LintHit> hits;
  lint_file(path, bytes, std::span<const Finding>(out).subspan(first), hits);
  if (hits.empty()) return;
  std::vector<RawMatch> spans;
  std::vector<bool> sensitive;
  for (const LintHit& hit : hits) {
    auto rule = lint_rules_.find(hit.check);
    if (rule == lint_rules_.end()) continue;  // disabled in .keysweep.toml
    // The same ways out as for secrets: an inline allow, the config's allowlists.
    if (suppression_at(matcher_.ruleset(), matcher_.ruleset().rules[rule->second], bytes,
                       hit.offset, hit.length, rule_path) != Suppression::none) {
      continue;
    }
    spans.push_back({rule->second, hit.offset, hit.offset + hit.length, hit.offset, hit.offset + hit.length});
    sensitive.push_back(hit.sensitive);
  }
  build_lint_findings(bytes, path, matcher_.ruleset(), spans, sensitive, matches_, out);
}

}  // namespace keysweep
