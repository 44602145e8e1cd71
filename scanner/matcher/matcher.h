#pragma once
// The matcher turns bytes into confirmed rule matches. It knows nothing about
// files, git or output.
//
// How it stays at literal speed: one Hyperscan block-mode database holds an
// *anchor* per rule: each of its keywords as a caseless literal, or (for a
// rule with no keywords, such as a prefixed token) its regex. An anchor hit
// only opens a window of the rule's maximum match width around it; windows of
// one rule are merged, and RE2 runs the rule's full regex on the merged windows
// alone, with the whole buffer as context so ^, $ and \b stay exact. Entropy
// and allowlists are checked on what RE2 confirms.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.h"

struct hs_database;
struct hs_scratch;

namespace keysweep {

class Diagnostics;

/// One confirmed match of one rule. Offsets index the scanned buffer.
struct RawMatch {
  std::uint32_t rule;  // index into Ruleset::rules
  std::size_t match_start, match_end;
  std::size_t secret_start, secret_end;
};

/// How a rule is anchored in the Hyperscan database.
struct Anchor {
  std::uint32_t rule;
  std::string expression;  // Hyperscan syntax
  unsigned flags;
  std::size_t back;     // the window opens this many bytes before the hit's end
  std::size_t forward;  // and closes this many bytes after it
};

struct MatcherOptions {
  std::string cache_dir;  // where serialized databases live; empty: no cache
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
  /// Returns false when the candidate limit cut the search short.
  bool find(std::string_view content, std::optional<std::string_view> path, Scratch& scratch,
            std::vector<RawMatch>& out) const;

  /// True when a rule's matches depend on the path: a path filter, or an
  /// allowlist (its own or global) with path criteria.
  bool depends_on_path(std::uint32_t rule) const { return path_dependent_[rule]; }

  const Ruleset& ruleset() const { return ruleset_; }
  const std::vector<Anchor>& anchors() const { return anchors_; }
  bool loaded_from_cache() const { return loaded_from_cache_; }

 private:
  void confirm_window(std::string_view content, std::optional<std::string_view> path,
                      std::uint32_t rule_index, std::size_t low, std::size_t high,
                      std::vector<RawMatch>& out) const;

  const Ruleset& ruleset_;
  std::vector<Anchor> anchors_;
  std::unique_ptr<hs_database, void (*)(hs_database*)> database_;
  std::unique_ptr<hs_scratch, void (*)(hs_scratch*)> prototype_scratch_;
  bool loaded_from_cache_ = false;
  std::vector<bool> path_dependent_;
};

/// Builds the anchors of a ruleset. Windows of keyword anchors are left at 0
/// until measure_keyword_windows() (or a cache entry) sets them.
std::vector<Anchor> build_anchors(const Ruleset& ruleset);

/// Sets each keyword anchor's window from its rule regex's maximum width.
void measure_keyword_windows(const Ruleset& ruleset, std::vector<Anchor>& anchors);

/// The line of `content` that holds `offset`, without its newline.
std::string_view line_around(std::string_view content, std::size_t offset);

/// True when the line carries an inline allow comment: `keysweep:allow`, or
/// gitleaks' `gitleaks:allow` and detect-secrets' `pragma: allowlist secret`,
/// so existing annotations keep working.
bool has_inline_allow(std::string_view line);

/// True when an allowlist of the rule (or a global one) drops this match.
/// With no path, path criteria count as not matching.
bool is_allowlisted(const Ruleset& ruleset, const Rule& rule, std::string_view secret,
                    std::string_view match, std::string_view line,
                    std::optional<std::string_view> path);

}  // namespace keysweep
