#pragma once
// The matcher turns bytes into confirmed rule matches. It knows nothing about
// files, git or output.
//
// Token rules (the Datadog hex keys) start from *runs* of their charset at
// least as long as the shortest token (`[0-9a-f]{32}`), and base64 rules from
// runs of the base64 alphabet as long as a token's text: matcher/byte_runs.h
// finds both, 16 bytes at a time. (A charset or token too short for that
// becomes a Hyperscan anchor below, whose consecutive hits extend one run, or
// the base64 image pattern of each token shape.)
//
// One Hyperscan block-mode database holds every *anchor*, and one pass over a
// buffer finds them all; the callback only records, in O(1) per hit:
//   - keywords (caseless literals) and regexes of regex rules: each hit opens
//     a window as wide as the rule regex's maximum match width (at most
//     4 KiB); a rule's overlapping windows merge, but a merged span never
//     grows past 64 KiB before RE2 confirms it, so RE2 examines at most
//     2 × window bytes per hit and each byte a bounded number of times.
//     Keywords gate a rule for the whole input (gitleaks): a narrow regex
//     that spells a keyword is anchored by its keywords, any other by
//     itself, its windows waiting for a keyword (measure_keyword_windows).
//     A regex that spells none is *triggered*: its own small database runs
//     over a buffer only after the pass found one of its keywords there.
//     A window a rule's keywords opened is *screened* by that rule's regex
//     alone in Hyperscan (a database loaded from the cache, else compiled
//     at the rule's 64th window and cached); RE2 runs only where it may
//     match, so a keyword like gitleaks' "sk" (in "task", "disk") costs no
//     RE2 work, and a rule whose screen is cached and never matches is
//     never compiled by RE2.
// After the pass, each token of a run that has a token rule's exact shape
// (length, prefix, whole word) is judged by its name chain
// (matcher/token_context.h): a bounded read backwards from the token. Only a
// value whose verdict rests on a mention of the vendor ("datadog" near a
// generic api_key) asks for the mentions: a second, small database of the
// contexts' mentions then runs once over that buffer, and a binary search
// among them answers. No regex ever runs over an unbounded
// span, and no input is cut short: the work is linear in the input and
// bounded per candidate, whatever the input.
//
// Then come the entropy floor (only for tokens without a decisive name, and
// regex rules) and the inventory filter. A match that an inline allow comment
// or an allowlist sets aside is not dropped: it is returned marked
// (RawMatch::suppressed_by), for the policy stage to count, and it takes no
// part in settling the reported matches (see Matcher::find).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/byte_runs.h"
#include "rules/rule.h"

struct hs_database;
struct hs_scratch;

namespace keysweep {

class Diagnostics;

enum class Encoding : std::uint8_t { none, base64 };

/// Why a match or a finding is not reported. The matcher sets the first two
/// (the evidence is in the bytes it reads); findings carry the mark on, and
/// the policy stage adds `baseline` and sets every marked finding aside.
enum class Suppression : std::uint8_t { none, allowlist, inline_allow, baseline };

/// One confirmed match of one rule. Offsets index the scanned buffer. For an
/// encoded secret the secret span is the encoded text; findings decode it.
struct RawMatch {
  std::uint32_t rule;  // index into Ruleset::rules
  std::size_t match_start, match_end;
  std::size_t secret_start, secret_end;
  Encoding encoding = Encoding::none;
  Suppression suppressed_by = Suppression::none;  // allowlist or inline_allow, when set aside
};

enum class AnchorKind : std::uint8_t { keyword, regex, token_run, base64 };

/// One pattern of the Hyperscan database and what a hit on it means.
struct Anchor {
  AnchorKind kind;
  std::uint32_t target;    // rule index (keyword, regex, base64); charset (token_run)
  std::string expression;  // Hyperscan syntax
  unsigned flags;
  std::size_t back = 0;      // keyword/regex: the window opens this many bytes before the hit's end
  std::size_t forward = 0;   // and closes this many bytes after it
  std::uint32_t length = 0;  // token_run: shortest token; base64: encoded length
  std::uint32_t shape = 0;   // base64: index into the rule's tokens
  /// regex of a keyword rule that spells none of its keywords: in a database
  /// of its own, scanned over an input only once one of the keywords occurred
  /// in it (see measure_keyword_windows).
  bool triggered = false;
};

struct MatcherOptions {
  std::string cache_dir;          // where serialized databases live; empty: no cache
  bool keep_skip_report = false;  // `rules check`: matches of skipReport rules are kept
};

/// Work counters of one scratch, for tests that bound the work per candidate.
struct MatchWork {
  std::size_t windows = 0;          // RE2 confirmations run
  std::size_t screened = 0;         // windows a rule's screen ruled out before RE2
  std::size_t regex_bytes = 0;      // bytes RE2 was given to search
  std::size_t tokens = 0;           // token candidates judged
  std::size_t context_bytes = 0;    // bytes read to build name chains
  std::size_t triggered_bytes = 0;  // bytes scanned by keyword-triggered regex databases
};

class Matcher {
 public:
  /// Compiles (or loads from the cache) the database for `ruleset`, which must
  /// outlive the matcher. Throws UsageError naming the rule that cannot compile.
  Matcher(const Ruleset& ruleset, const MatcherOptions& options, Diagnostics& diagnostics);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  /// Per-thread state: Hyperscan scratch and reusable buffers. Never shared.
  class Scratch;
  struct ScratchDeleter {
    void operator()(Scratch* scratch) const;
  };
  using ScratchPtr = std::unique_ptr<Scratch, ScratchDeleter>;
  ScratchPtr make_scratch() const;

  /// Appends the confirmed matches of every rule in `content` to `out`.
  /// `path` feeds rules' path filters and path allowlists (forward slashes).
  /// Without a path (a blob read before its paths are known), path filters
  /// pass and path criteria drop nothing: matches of path-dependent rules are
  /// then a superset, to be confirmed once the path is known.
  ///
  /// Matches an inline allow or an allowlist sets aside come marked
  /// (`suppressed_by`). They are settled apart from the reported ones, so a
  /// reported match is the same as if they did not exist: `generic-api-key`
  /// does not yield to them, and they do not meet a composite rule's
  /// requirement. A marked match may overlap a reported one: build_findings
  /// leaves it out there (the span is reported).
  void find(std::string_view content, std::optional<std::string_view> path, Scratch& scratch,
            std::vector<RawMatch>& out) const;

  /// The work a scratch has done since it was made.
  static const MatchWork& work(const Scratch& scratch);

  /// True when a rule's matches depend on the path: a path filter, or an
  /// allowlist (its own or global) with path criteria.
  bool depends_on_path(std::uint32_t rule) const { return path_dependent_[rule]; }

  const Ruleset& ruleset() const { return ruleset_; }
  const std::vector<Anchor>& anchors() const { return anchors_; }
  bool loaded_from_cache() const { return loaded_from_cache_; }

  /// A token charset of the ruleset and the token shapes that use it.
  struct Charset;
  struct Base64Shape;

 private:
  class Pass;
  friend class Pass;

  const Ruleset& ruleset_;
  std::vector<Charset> charsets_;
  /// Runs of token charsets and of the base64 alphabet (byte_runs.h).
  ByteRunFinder run_finder_;
  std::vector<std::uint32_t> charset_of_class_;  // per run class of a charset
  /// Base64 texts of tokens, when the run finder looks for them rather than anchors.
  void plan_base64_shapes();
  std::uint32_t base64_class_ = UINT32_MAX;
  std::vector<Base64Shape> base64_shapes_;
  std::vector<bool> base64_by_finder_;  // per rule
  std::vector<Anchor> anchors_;
  std::vector<std::vector<const Rule*>> context_rules_;  // per ruleset context: its token rules
  std::vector<std::uint32_t> context_of_rule_;           // index into ruleset.contexts, or npos
  std::vector<std::vector<const Rule*>>
      other_kinds_;  // per rule: its context's rules of other key types
  /// Mentions of each context's vendor in `content`, into the scratch: a
  /// second, small database, compiled and run only for a buffer with a value
  /// whose verdict rests on a mention.
  void find_mentions(std::string_view content, Scratch& scratch) const;

  using Database = std::unique_ptr<hs_database, void (*)(hs_database*)>;
  Database database_;
  /// A keyword-triggered regex (Anchor::triggered) and its database.
  struct TriggeredDatabase {
    std::uint32_t anchor;
    Database database;
  };
  std::vector<TriggeredDatabase> triggered_;
  /// The main database, then the triggered ones: what the cache and the scratch hold.
  std::vector<const hs_database*> databases() const;
  bool load_cached_databases(const std::string& entry);
  void compile_triggered_databases(Diagnostics& diagnostics);
  /// Per rule: the screen of its keyword windows, when it has one (a rule
  /// anchored by its keywords whose regex Hyperscan reads as RE2 does).
  struct Screen;
  std::unique_ptr<Screen[]> screens_;
  /// The rule's screening database: loaded from the cache at the rule's
  /// first window (by any thread), else compiled at its 64th; null before
  /// then, or when the rule has none or Hyperscan cannot compile it.
  const hs_database* screen_of(std::uint32_t rule) const;
  std::string cache_dir_;
  mutable std::once_flag mention_database_once_;
  mutable std::unique_ptr<hs_database, void (*)(hs_database*)> mention_database_;
  mutable std::unique_ptr<hs_scratch, void (*)(hs_scratch*)> mention_scratch_;
  mutable std::string mention_error_;
  std::unique_ptr<hs_scratch, void (*)(hs_scratch*)> prototype_scratch_;
  bool loaded_from_cache_ = false;
  std::vector<bool> path_dependent_;
  std::vector<bool> gated_;  // per rule: its keywords gate the input, its regex is the anchor
  std::vector<std::uint32_t> whole_input_rules_;  // keyword rules Hyperscan cannot anchor
  std::vector<std::uint32_t> path_only_rules_;
  std::uint32_t generic_rule_ = UINT32_MAX;
  bool keep_skip_report_ = false;  // gitleaks' generic-api-key, which yields to others
};

/// Measures each keyword or regex anchor's window from its rule regex's
/// maximum width, and decides for each keyword rule whether its keywords or
/// its regex open the windows.
/// Runs when a database is compiled (a cache hit restores the windows); a
/// rule of a peer's pack that Hyperscan cannot take is named in `skipped`.
void measure_keyword_windows(const Ruleset& ruleset, std::vector<Anchor>& anchors,
                             std::vector<std::string>& skipped);

/// The Hyperscan expression for the base64 text of any token of `shape`
/// (standard alphabet, padded), and its length.
std::string base64_image_pattern(const TokenShape& shape, std::uint32_t& encoded_length);

/// The line of `content` that holds `offset`, without its newline, cut at
/// 4 KiB either side of `offset` (a minified line must not cost its length per match).
std::string_view line_around(std::string_view content, std::size_t offset);

/// True when the value at `offset` is allowed inline: its line carries
/// `keysweep:allow` (or gitleaks' `gitleaks:allow`, detect-secrets' `pragma:
/// allowlist secret`), or the line before carries `keysweep:allow-next-line`
/// or detect-secrets' `pragma: allowlist nextline secret`. Lines are seen as
/// line_around cuts them: a marker more than 4 KiB from the value on a long
/// line is not seen (the value is reported: the cut never allows more).
bool inline_allowed(std::string_view content, std::size_t offset);

/// True when an allowlist of the rule (or a global one) sets this match aside.
/// With no path, path criteria count as not matching; likewise with no commit
/// (full hex), commit criteria (a commit listed in full or by 7+ characters).
bool is_allowlisted(const Ruleset& ruleset, const Rule& rule, std::string_view secret,
                    std::string_view match, std::string_view line,
                    std::optional<std::string_view> path,
                    std::optional<std::string_view> commit = std::nullopt);

}  // namespace keysweep
