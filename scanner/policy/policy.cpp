#include "policy/policy.h"

#include <re2/re2.h>

#include <algorithm>
#include <iterator>

#include "matcher/matcher.h"
#include "policy/gitleaks_ignore.h"
#include "util/escape.h"

namespace keysweep {

std::optional<FailOn> parse_fail_on(std::string_view text) {
  if (text == "live") return FailOn::live;
  if (text == "unknown") return FailOn::unknown;
  if (text == "any") return FailOn::any;
  return std::nullopt;
}

const char* fail_on_name(FailOn fail_on) {
  switch (fail_on) {
    case FailOn::live:
      return "live";
    case FailOn::unknown:
      return "unknown";
    case FailOn::any:
      return "any";
  }
  return "any";
}

bool fails(const std::optional<LivenessLabel>& label, FailOn fail_on) {
  Liveness status = label ? label->status : Liveness::unknown;
  switch (fail_on) {
    case FailOn::live:
      return status == Liveness::live;
    case FailOn::unknown:
      return status == Liveness::live || status == Liveness::unknown;
    case FailOn::any:
      return status != Liveness::revoked && status != Liveness::expired;
  }
  return true;
}

Suppression suppression_at(const Ruleset& ruleset, const Rule& rule, std::string_view content,
                           std::size_t offset, std::size_t length,
                           std::optional<std::string_view> rule_path,
                           std::optional<std::string_view> commit) {
  if (inline_allowed(content, offset)) return Suppression::inline_allow;
  std::string_view evidence = content.substr(offset, length);
  if (is_allowlisted(ruleset, rule, evidence, evidence, line_around(content, offset), rule_path,
                     commit)) {
    return Suppression::allowlist;
  }
  return Suppression::none;
}

std::optional<RawMatch> at_path(const Ruleset& ruleset, const RawMatch& match,
                                std::string_view content, std::string_view rule_path,
                                std::optional<std::string_view> commit) {
  const Rule& rule = ruleset.rules[match.rule];
  if (rule.compiled_path &&
      !re2::RE2::PartialMatch(re2::StringPiece(rule_path.data(), rule_path.size()),
                              *rule.compiled_path)) {
    return std::nullopt;
  }
  RawMatch placed = match;
  if (placed.suppressed_by != Suppression::none) return placed;
  std::string_view text = content.substr(match.secret_start, match.secret_end - match.secret_start);
  // Allowlists see a secret as the rules do: decoded when the text held it encoded.
  std::string decoded;
  if (match.encoding == Encoding::base64) decoded = decode_base64(text).value_or(std::string(text));
  std::string_view value = match.encoding == Encoding::base64 ? std::string_view(decoded) : text;
  std::string_view matched = content.substr(match.match_start, match.match_end - match.match_start);
  if (is_allowlisted(ruleset, rule, value, matched, line_around(content, match.secret_start),
                     rule_path, commit)) {
    placed.suppressed_by = Suppression::allowlist;
  }
  return placed;
}

void set_aside_marked(std::vector<Finding>& findings, std::size_t first, ScanStats& stats) {
  auto kept = std::remove_if(
      findings.begin() + std::ptrdiff_t(first), findings.end(), [&](const Finding& finding) {
        Suppression mark = finding.suppressed_by;
        if (mark != Suppression::allowlist && mark != Suppression::inline_allow) return false;
        stats.count_set_aside(mark);
        return true;
      });
  findings.erase(kept, findings.end());
}

void set_aside_marked(ScanResult& result) {
  set_aside_marked(result.findings, 0, result.stats);
  // What else is marked (the baseline) is kept, without its value, to be counted.
  auto reported = std::stable_partition(
      result.findings.begin(), result.findings.end(),
      [](const Finding& finding) { return finding.suppressed_by == Suppression::none; });
  for (auto it = reported; it != result.findings.end(); ++it) it->secret = std::string();
  std::move(reported, result.findings.end(), std::back_inserter(result.suppressed));
  result.findings.erase(reported, result.findings.end());
}

namespace {

std::size_t count_marked(const std::vector<Finding>& findings, Suppression mark) {
  return std::size_t(
      std::count_if(findings.begin(), findings.end(),
                    [mark](const Finding& finding) { return finding.suppressed_by == mark; }));
}

}  // namespace

PolicyOutcome apply_policy(const Policy& policy, ScanResult& result) {
  PolicyOutcome outcome;
  if (!policy.baseline_path.empty()) {
    std::string base = baseline_base(result.repository_root, policy.baseline_path);
    outcome.unused_baseline =
        mark_baselined(policy.baseline, result.findings, PathRebase(result.root, base));
    // An entry outside what was scanned is not "no longer found": another service's, in a monorepo.
    PathRebase to_root(base, result.root);
    std::erase_if(outcome.unused_baseline,
                  [&](const BaselineEntry& entry) { return !to_root(entry.path); });
  }
  {
    // gitleaks' ignore file, where gitleaks looks for it: a team moving over keeps its judgements.
    std::string base = !result.repository_root.empty() ? result.repository_root : result.root;
    mark_gitleaks_ignored(load_gitleaks_ignore(base), result.findings,
                          PathRebase(result.root, base));
  }
  set_aside_marked(result);
  outcome.allowlisted = result.stats.allowlisted;
  outcome.inline_allowed = result.stats.inline_allowed;
  outcome.baselined = count_marked(result.suppressed, Suppression::baseline);

  for (Finding& finding : result.findings) {
    finding.fails = !(finding.client_token_in_browser_code && !policy.fail_on_client_tokens) &&
                    fails(finding.liveness, policy.fail_on);
    outcome.failing += finding.fails;
  }
  return outcome;
}

}  // namespace keysweep
