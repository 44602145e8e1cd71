#pragma once
// A finding: one secret of one rule at one place. The secret's value lives
// only here, in memory; reporters redact it unless --show-secrets.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "findings/liveness.h"
#include "matcher/matcher.h"
#include "rules/rule.h"
#include "util/token_checksum.h"

namespace keysweep {

/// 1-based line; 1-based column in Unicode code points. End column is exclusive.
struct Position {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

/// The source line around the secret, for snippets. `secret_spans` are the
/// byte ranges within `text` of every confirmed secret on that line (this one
/// and any other), so a reporter can redact them all.
struct Snippet {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> secret_spans;  // (offset, length)
  bool truncated_before = false;
  bool truncated_after = false;
};

/// Where a finding lives in git: the blob, and the commit that introduced it
/// at this path (empty for staged changes, which have no commit yet).
struct GitOrigin {
  std::string blob;
  std::string commit;
  std::string author;
  std::string email;
  std::string date;  // ISO 8601 with the author's UTC offset
};

/// A secret (a credential a rule matched) or a check (a credential-management
/// habit a repository check found: its evidence may not be a credential).
enum class FindingKind : std::uint8_t { secret, check };

struct Finding {
  const Rule* rule = nullptr;
  std::uint32_t rule_index = 0;
  FindingKind kind = FindingKind::secret;
  std::string
      key_type;  // the rule's keyType; an inventory match names the record's kind; "" for a check
  std::optional<KeyKind> key_kind;  // key_type parsed; none for a check or a custom type
  std::string path;                 // relative to the scan root, forward slashes
  Position start, end;
  std::string secret;                  // decoded when the text held it encoded
  std::string secret_sha256;           // lowercase hex
  Encoding encoding = Encoding::none;  // how the text held it; the position is the encoded text's
  ChecksumStatus checksum = ChecksumStatus::not_applicable;
  Snippet snippet;
  std::optional<GitOrigin> git;
  std::string repository;                 // audits: the repository as given (URL or path)
  std::optional<LivenessLabel> liveness;  // with --inventory or --verify
  std::string site_hint;                  // a Datadog site named in the same input, nearest first
  // False for a lint finding whose evidence is not a credential (a resource
  // header, a variable name): reporters show it in clear.
  bool redact = true;
  // A RUM client token in browser code: public by design (the browser SDK
  // sends it with every request), so it fails a scan only when configured.
  bool client_token_in_browser_code = false;
  // Marks of the policy stage: reporters and the exit code read them and decide nothing.
  // An allowlist's or an inline allow's mark comes from the match (RawMatch::suppressed_by).
  Suppression suppressed_by = Suppression::none;
  bool fails = false;
};

struct ScanStats;

/// Turns the raw matches of one buffer into findings appended to `out`.
/// Where several rules matched the same secret span, the earliest rule in the
/// ruleset reports it (a reported match before a set-aside one): one secret
/// at one place is one finding. A match's `suppressed_by` becomes the
/// finding's; a set-aside match whose span overlaps a reported one makes no
/// finding (the span is reported), and a set-aside finding has no snippet.
/// With `set_aside`, set-aside matches make no finding at all and are only
/// counted there (ScanStats::allowlisted, inline_allowed); their spans are
/// still redacted in the snippets of the others.
void build_findings(std::string_view content, const std::string& path, const Ruleset& ruleset,
                    std::vector<RawMatch>& matches, std::vector<Finding>& out,
                    ScanStats* set_aside = nullptr);

/// Findings of lint checks (rule indices into `ruleset`) at byte spans of
/// `content`, with `sensitive` saying which spans are credential values. They
/// are never merged with secret findings; their snippets redact every span of
/// `secret_matches` as well.
void build_lint_findings(std::string_view content, const std::string& path, const Ruleset& ruleset,
                         const std::vector<RawMatch>& hits, const std::vector<bool>& sensitive,
                         const std::vector<RawMatch>& secret_matches, std::vector<Finding>& out);

/// Marks, in every snippet, each other place that shows a found secret's
/// value or its base64 text, on any line of any file: a key found once is
/// redacted wherever a snippet shows it, also where no rule's context matched
/// it, and also cut short at a snippet's edge. Up to kMaxRecurringSecrets
/// distinct values are looked for (more: each snippet still redacts what was
/// found on its own line).
void redact_recurring_secrets(std::vector<Finding>& findings);
inline constexpr std::size_t kMaxRecurringSecrets = 4096;

/// Output order: path, line, column, rule order, then commit.
void sort_findings(std::vector<Finding>& findings);

}  // namespace keysweep
