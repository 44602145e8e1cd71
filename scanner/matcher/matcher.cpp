#include "matcher/matcher.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstring>
#include <unordered_map>

#include "matcher/byte_runs.h"
#include "matcher/database_cache.h"
#include "matcher/secret_span_index.h"
#include "matcher/token_context.h"
#include "rules/lazy_regex.h"
#include "rules/rule_loader.h"
#include "util/diagnostics.h"
#include "util/entropy.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/text.h"

namespace keysweep {
namespace {

/// The widest window a rule gets when its regex has no bounded width.
constexpr std::size_t kMaxWindow = 4096;
/// A rule's merged windows are confirmed once they span this much, so RE2
/// never gets an unbounded span however dense the keywords are.
constexpr std::size_t kMaxMergedSpan = std::size_t(64) << 10;
/// hs_scan takes an unsigned int length; larger buffers are scanned in blocks
/// that overlap by two windows, so no match straddles a block edge unseen.
constexpr std::size_t kMaxBlock = std::size_t(1) << 30;
/// Mentions closer than this to the previous one add nothing to a window test.
constexpr std::size_t kMentionSpacing = 16;
constexpr std::uint32_t kNoContext = UINT32_MAX;
/// A keyword rule's regex anchor whose regex Hyperscan cannot compile even as
/// a prefilter: it is left out of the database, and the rule's regex runs
/// over the whole input when a keyword occurs in it (as gitleaks does).
constexpr std::size_t kWholeInput = SIZE_MAX;
/// A keyword rule's regex anchor left out of the database: windows around the
/// keywords find its matches (see measure_keyword_windows).
constexpr std::size_t kNotInDatabase = SIZE_MAX - 1;
/// The widest window a keyword opens; a rule whose matches may be wider is
/// anchored by its regex instead, so dense keywords never add up to whole files.
constexpr std::size_t kMaxKeywordWindow = 512;
/// A rule without a cached screen gets one compiled at this many windows.
constexpr std::uint32_t kScreenAfterWindows = 64;

std::string escape_literal(std::string_view literal) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string escaped;
  for (unsigned char c : literal) {
    escaped += "\\x";
    escaped += kHex[c >> 4];
    escaped += kHex[c & 0xf];
  }
  return escaped;
}

/// The maximum width of a regex as Hyperscan sees it, trying the exact form
/// first and then prefilter mode (which accepts constructs Hyperscan lacks).
/// Returns false when Hyperscan cannot parse it at all.
bool regex_width(const std::string& regex, unsigned& flags, std::size_t& width,
                 std::string& error_text) {
  // Hyperscan reads a C string: it would compile the regex up to the NUL,
  // and its hits would stand for a regex RE2 reads whole.
  if (regex.find('\0') != std::string::npos) {
    error_text = "a NUL byte; write it as \\x00";
    return false;
  }
  for (unsigned candidate : {0u, unsigned(HS_FLAG_PREFILTER)}) {
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_expression_info(regex.c_str(), candidate, &info, &error) == HS_SUCCESS) {
      flags = candidate;
      width = info->max_width == UINT_MAX ? kMaxWindow
                                          : std::min<std::size_t>(info->max_width, kMaxWindow);
      std::free(info);
      return true;
    }
    error_text = error->message;
    hs_free_compile_error(error);
  }
  return false;
}

void free_database(hs_database* database) {
  hs_free_database(database);
}
void free_scratch(hs_scratch* scratch) {
  hs_free_scratch(scratch);
}

std::array<bool, 256> charset_members(const std::string& spec) {
  std::array<bool, 256> member{};
  for (std::size_t i = 0; i < spec.size(); ++i) {
    unsigned char from = static_cast<unsigned char>(spec[i]);
    if (i + 2 < spec.size() && spec[i + 1] == '-') {
      unsigned char to = static_cast<unsigned char>(spec[i + 2]);
      for (unsigned c = from; c <= to; ++c) member[c] = true;
      i += 2;
    } else {
      member[from] = true;
    }
  }
  return member;
}

bool is_word_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_alnum_byte(char c) {
  return is_word_byte(c) && c != '_';
}

/// True when `start` follows a shell default without a colon: `${NAME-`.
bool after_shell_default(std::string_view text, std::size_t start) {
  if (start < 4 || text[start - 1] != '-') return false;
  std::size_t name = start - 1;
  while (name > 0 && is_word_byte(text[name - 1])) --name;
  return name < start - 1 && name >= 2 && text[name - 1] == '{' && text[name - 2] == '$';
}

/// A token is a whole word: no word byte next to it, and no `-` or `.` that
/// joins it to another word (`sha1-…`, `…-us21`, `name.<hex>.png`), except
/// the `-` of a shell default (`${DD_API_KEY-<key>}`).
bool whole_token(std::string_view text, std::size_t start, std::size_t end) {
  if (start > 0) {
    char before = text[start - 1];
    if (is_word_byte(before)) return false;
    if ((before == '-' || before == '.') && start > 1 && is_alnum_byte(text[start - 2]) &&
        !after_shell_default(text, start))
      return false;
  }
  if (end < text.size()) {
    char after = text[end];
    if (is_word_byte(after)) return false;
    if ((after == '-' || after == '.') && end + 1 < text.size() && is_alnum_byte(text[end + 1]))
      return false;
  }
  return true;
}

/// Markdown link text, `[<hex>](url)`: changelogs link commits this way.
bool markdown_link_text(std::string_view text, std::size_t start, std::size_t end) {
  return start > 0 && text[start - 1] == '[' && text.substr(end, 2) == "](";
}

bool is_base64_byte(char c) {
  return is_alnum_byte(c) || c == '+' || c == '/';
}

std::string base64_class(const std::array<bool, 64>& values) {
  std::string expression = "[";
  for (int v = 0; v < 64; ++v) {
    if (!values[std::size_t(v)]) continue;
    char c = kBase64Alphabet[v];
    if (c == '+' || c == '/') expression += '\\';
    expression += c;
  }
  return expression + "]";
}

bool contains_caseless(std::string_view haystack, std::string_view lowercase_needle) {
  auto it = std::search(
      haystack.begin(), haystack.end(), lowercase_needle.begin(), lowercase_needle.end(),
      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != haystack.end();
}

/// Whether `commit` (full hex) is listed: in full, or abbreviated to 7 or more characters.
bool commit_listed(const std::vector<std::string>& commits, std::string_view commit) {
  return std::any_of(commits.begin(), commits.end(), [&](const std::string& listed) {
    return listed.size() >= 7 && commit.starts_with(listed);
  });
}

bool allowlist_matches(const Allowlist& allowlist, std::string_view secret, std::string_view match,
                       std::string_view line, std::optional<std::string_view> path,
                       std::optional<std::string_view> commit) {
  std::string_view target = allowlist.regex_target == AllowTarget::secret  ? secret
                            : allowlist.regex_target == AllowTarget::match ? match
                                                                           : line;
  auto any_regex = [&](const auto& regexes, std::string_view text) {
    return std::any_of(regexes.begin(), regexes.end(), [&](const auto& regex) {
      return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *regex);
    });
  };
  // Each criterion that is set: a verdict. Unset criteria do not vote.
  std::array<std::pair<bool, bool>, 4> criteria = {{
      {!allowlist.regexes.empty(), any_regex(allowlist.regexes, target)},
      {!allowlist.paths.empty(), path && any_regex(allowlist.paths, *path)},
      {!allowlist.stopwords.empty(),
       std::any_of(allowlist.stopwords.begin(), allowlist.stopwords.end(),
                   [&](const std::string& word) { return contains_caseless(secret, word); })},
      // Only a git finding at a place has a commit (history and range scans).
      {!allowlist.commits.empty(), commit && commit_listed(allowlist.commits, *commit)},
  }};
  bool any_set = false;
  for (auto [set, matched] : criteria) {
    if (!set) continue;
    any_set = true;
    if (allowlist.require_all && !matched) return false;
    if (!allowlist.require_all && matched) return true;
  }
  return allowlist.require_all && any_set;
}

}  // namespace

/// A token charset of the ruleset, and the token shapes that use it.
struct Matcher::Charset {
  std::string spec;
  std::array<bool, 256> member;
  std::uint32_t shortest;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> shapes;  // (rule, index into its tokens)
  /// The run finder's class for this charset when the class and the
  /// shortest token suit it (byte_runs.h); else a `token_run` anchor finds runs.
  std::optional<std::uint32_t> run_class;
};

/// A token shape whose base64 text the base64 run finder looks for.
struct Matcher::Base64Shape {
  std::uint32_t rule, shape;
  std::size_t encoded_length;  // with padding
  std::size_t padding;         // trailing '='
};

class Matcher::Scratch {
 public:
  struct OpenWindow {
    std::size_t low = 0, high = 0;
    bool open = false;
  };
  struct Run {
    std::uint32_t charset;
    std::size_t start, end;
  };
  struct Hit {
    std::uint32_t anchor;
    std::size_t end;
  };
  std::vector<ByteRunFinder::Run> found_runs;
  struct Window {
    std::uint32_t rule;
    std::size_t low, high;
  };
  std::unique_ptr<hs_scratch, void (*)(hs_scratch*)> hs{nullptr, free_scratch};
  std::unique_ptr<hs_scratch, void (*)(hs_scratch*)> mention_hs{nullptr, free_scratch};
  std::vector<OpenWindow> windows;         // per rule
  std::vector<std::uint8_t> keyword_seen;  // per rule: one of its keywords occurs in the input
  std::vector<Window> pending;    // closed windows of rules whose keywords have not occurred yet
  std::vector<Run> current_runs;  // per charset; end == 0: none open
  std::vector<Run> runs;
  std::vector<Hit> encoded;
  std::vector<std::vector<std::size_t>> mentions;  // per context: hit end offsets
  ChainMemo chain_memo;
  std::unordered_map<std::string, TokenVerdict> verdicts;  // per buffer: chain key -> verdict
  std::string verdict_key;
  std::size_t block_offset = 0;
  // Screens run where a window closes, which may be inside the main pass's
  // callback while `hs` is in use: they have a scratch of their own, grown
  // to fit each rule's screen the first time this thread meets it.
  std::unique_ptr<hs_scratch, void (*)(hs_scratch*)> screen_hs{nullptr, free_scratch};
  std::vector<std::uint8_t> screen_fits;  // per rule (sized by make_scratch): screen_hs fits it
  MatchWork work;
};

struct Matcher::Screen {
  bool wanted = false;
  std::once_flag looked_up, compiled;
  std::atomic<bool> ready{false};         // `database` is final (null: Hyperscan cannot take it)
  std::atomic<std::uint32_t> windows{0};  // windows RE2 confirmed without a screen
  Database database{nullptr, free_database};
};

/// One find() call: the state the Hyperscan callback and the judges share.
class Matcher::Pass {
 public:
  Pass(const Matcher& matcher, std::string_view content, std::optional<std::string_view> path,
       Scratch& scratch, std::vector<RawMatch>& out)
      : m_(matcher), content_(content), path_(path), s_(scratch), out_(out) {}

  int on_hit(unsigned int id, std::size_t end) {
    const Anchor& anchor = m_.anchors_[id];
    switch (anchor.kind) {
      case AnchorKind::keyword:
        s_.keyword_seen[anchor.target] = 1;
        if (anchor.back != 0) open_window(anchor, end);  // else the keyword only gates
        break;
      case AnchorKind::regex:
        open_window(anchor, end);
        break;
      case AnchorKind::token_run: {
        Scratch::Run& run = s_.current_runs[anchor.target];
        if (run.end != 0 && end <= run.end + 1 && end > run.end) {
          run.end = end;
        } else if (run.end == 0 || end > run.end) {
          if (run.end != 0) s_.runs.push_back(run);
          run = {anchor.target, end - anchor.length, end};
        }
        break;
      }
      case AnchorKind::base64:
        s_.encoded.push_back({id, end});
        break;
    }
    return 0;
  }

  void finish() {
    const std::size_t first_match = out_.size();
    for (std::uint32_t rule = 0; rule < s_.windows.size(); ++rule) {
      if (s_.windows[rule].open) close_window(rule, s_.windows[rule].low, s_.windows[rule].high);
    }
    for (const Scratch::Window& window : s_.pending) {
      if (s_.keyword_seen[window.rule]) confirm_window(window.rule, window.low, window.high);
    }
    for (std::uint32_t rule : m_.whole_input_rules_) {
      if (s_.keyword_seen[rule]) confirm_window(rule, 0, content_.size());
    }
    // A path-only rule's finding is the file: an empty secret at its start,
    // subject to the allowlists like any other.
    for (std::uint32_t rule : m_.path_only_rules_) {
      if (!path_excludes(m_.ruleset_.rules[rule]))
        keep(rule, {0, 0}, 0, 0, 0, 0, false, Encoding::none);
    }
    for (Scratch::Run& run : s_.current_runs) {
      if (run.end != 0) s_.runs.push_back(run);
    }
    s_.found_runs.clear();
    m_.run_finder_.find(content_, s_.found_runs);
    for (const ByteRunFinder::Run& run : s_.found_runs) {
      if (run.run_class != m_.base64_class_)
        s_.runs.push_back({m_.charset_of_class_[run.run_class], run.start, run.end});
    }
    judge_runs();
    for (const Scratch::Hit& hit : s_.encoded) {
      const Anchor& anchor = m_.anchors_[hit.anchor];
      if (hit.end < anchor.length) continue;
      judge_encoded(anchor.target, anchor.shape, hit.end - anchor.length, hit.end);
    }
    for (const ByteRunFinder::Run& run : s_.found_runs) {
      if (run.run_class == m_.base64_class_) judge_encoded_run(run.start, run.end);
    }
    if (out_.size() > first_match) settle_overlaps(first_match);
  }

 private:
  void open_window(const Anchor& anchor, std::size_t end) {
    std::size_t low = end > anchor.back ? end - anchor.back : 0;
    std::size_t high = std::min(content_.size(), end + anchor.forward);
    Scratch::OpenWindow& window = s_.windows[anchor.target];
    if (window.open && low <= window.high && high - window.low <= kMaxMergedSpan) {
      window.high = std::max(window.high, high);
      return;
    }
    if (window.open) close_window(anchor.target, window.low, window.high);
    window = {low, high, true};
  }

  /// A keyword rule's window waits until one of its keywords occurs anywhere in the input.
  void close_window(std::uint32_t rule, std::size_t low, std::size_t high) {
    if (m_.gated_[rule] && !s_.keyword_seen[rule]) {
      s_.pending.push_back({rule, low, high});
      return;
    }
    confirm_window(rule, low, high);
  }

  /// gitleaks' rules between matches of one input: `generic-api-key` yields
  /// to any other rule on an overlapping secret; a composite rule's match
  /// needs its required rules' matches near it; skipReport rules are dropped.
  /// The reported matches are settled among themselves, as if the set-aside
  /// ones did not exist; then the set-aside ones (see Matcher::find).
  void settle_overlaps(std::size_t first) {
    auto is_reported = [](const RawMatch& match) {
      return match.suppressed_by == Suppression::none;
    };
    std::vector<RawMatch> set_aside;
    // A buffer with nothing set aside (the common case) takes no extra step.
    if (!std::all_of(out_.begin() + std::ptrdiff_t(first), out_.end(), is_reported)) {
      auto moved =
          std::stable_partition(out_.begin() + std::ptrdiff_t(first), out_.end(), is_reported);
      set_aside.assign(moved, out_.end());
      out_.erase(moved, out_.end());
    }
    std::vector<RawMatch> kept = settled(out_.begin() + std::ptrdiff_t(first), out_.end(), {});
    out_.erase(out_.begin() + std::ptrdiff_t(first), out_.end());
    for (const RawMatch& match : kept) {
      if (m_.keep_skip_report_ || !m_.ruleset_.rules[match.rule].skip_report) out_.push_back(match);
    }
    if (set_aside.empty()) return;
    // A composite's requirement may be met by any match, reported or set aside.
    for (const RawMatch& match : settled(set_aside.begin(), set_aside.end(), kept)) {
      if (m_.keep_skip_report_ || !m_.ruleset_.rules[match.rule].skip_report) out_.push_back(match);
    }
  }

  /// The matches of [begin, end) that neither yield (generic-api-key, to
  /// another rule's match among them) nor miss a required rule's match
  /// (among them or in `also_required`).
  std::vector<RawMatch> settled(std::vector<RawMatch>::const_iterator begin,
                                std::vector<RawMatch>::const_iterator end,
                                const std::vector<RawMatch>& also_required) const {
    const std::uint32_t generic = m_.generic_rule_;
    auto is_generic = [generic](const RawMatch& match) { return match.rule == generic; };
    // Indexed, so that thousands of generic matches in one file cost n log n.
    std::optional<SecretSpanIndex> named;
    if (std::any_of(begin, end, is_generic)) {
      std::vector<RawMatch> others;
      std::remove_copy_if(begin, end, std::back_inserter(others), is_generic);
      named.emplace(others.begin(), others.end());
    }
    auto yields = [&](const RawMatch& match) {
      return is_generic(match) && named->overlaps(match);
    };
    auto unmet = [&](const RawMatch& match) {
      for (const RequiredRule& required : m_.ruleset_.rules[match.rule].required) {
        auto near = [&](const RawMatch& other) {
          return m_.ruleset_.rules[other.rule].id == required.id &&
                 near_enough(match, other, required);
        };
        if (std::none_of(begin, end, near) &&
            std::none_of(also_required.begin(), also_required.end(), near))
          return true;
      }
      return false;
    };
    std::vector<RawMatch> kept;
    for (auto it = begin; it != end; ++it) {
      if (yields(*it) || unmet(*it)) continue;
      kept.push_back(*it);
    }
    return kept;
  }

  /// Whether `other` is within a required rule's lines and columns of `match`.
  bool near_enough(const RawMatch& match, const RawMatch& other,
                   const RequiredRule& required) const {
    auto line_and_column = [&](std::size_t offset) {
      std::size_t line = std::size_t(
          std::count(content_.begin(), content_.begin() + std::ptrdiff_t(offset), '\n'));
      std::size_t line_start = content_.rfind('\n', offset == 0 ? 0 : offset - 1);
      std::size_t column =
          offset == 0 || line_start == std::string_view::npos ? offset : offset - line_start - 1;
      return std::pair(line, column);
    };
    auto [line, column] = line_and_column(match.match_start);
    auto [other_line, other_column] = line_and_column(other.match_start);
    auto distance = [](std::size_t a, std::size_t b) { return a > b ? a - b : b - a; };
    if (required.within_lines && distance(line, other_line) > std::size_t(*required.within_lines))
      return false;
    if (required.within_columns &&
        distance(column, other_column) > std::size_t(*required.within_columns)) {
      return false;
    }
    return true;
  }

  bool path_excludes(const Rule& rule) const {
    return rule.compiled_path && path_ &&
           !re2::RE2::PartialMatch(re2::StringPiece(path_->data(), path_->size()),
                                   *rule.compiled_path);
  }

  /// False when the rule's screen finds no match of its regex in the
  /// window. It reads one byte more on each side: RE2 judges `\b`, `^` and
  /// `$` at the window's edges by the bytes around them, so the screen sees
  /// them too (and can only say yes more often, never less).
  bool screen_passes(std::uint32_t rule, std::size_t low, std::size_t high) {
    const hs_database* screen = m_.screen_of(rule);
    if (screen == nullptr) return true;
    if (!s_.screen_fits[rule]) {
      hs_scratch_t* scratch = s_.screen_hs.release();
      hs_error_t status = hs_alloc_scratch(screen, &scratch);
      s_.screen_hs.reset(scratch);
      if (status != HS_SUCCESS) return true;
      s_.screen_fits[rule] = 1;
    }
    const std::size_t from = low > 0 ? low - 1 : 0;
    const std::size_t to = std::min(content_.size(), high + 1);
    bool found = false;
    auto on_match = [](unsigned int, unsigned long long, unsigned long long, unsigned int,
                       void* context) {
      *static_cast<bool*>(context) = true;
      return 1;  // one match is the answer
    };
    hs_error_t status = hs_scan(screen, content_.data() + from, unsigned(to - from), 0,
                                s_.screen_hs.get(), on_match, &found);
    return found || (status != HS_SUCCESS && status != HS_SCAN_TERMINATED);
  }

  void confirm_window(std::uint32_t rule_index, std::size_t low, std::size_t high) {
    const Rule& rule = m_.ruleset_.rules[rule_index];
    if (path_excludes(rule)) return;
    if (!screen_passes(rule_index, low, high)) {
      ++s_.work.screened;
      return;
    }
    const re2::RE2& regex = rule.compiled_regex->get();
    const int groups = regex.NumberOfCapturingGroups() + 1;
    re2::StringPiece captures[32];
    const int wanted = std::min(groups, 32);
    const re2::StringPiece text(content_.data(), content_.size());
    ++s_.work.windows;
    s_.work.regex_bytes += high - low;

    std::size_t position = low;
    while (position < high &&
           regex.Match(text, position, high, re2::RE2::UNANCHORED, captures, wanted)) {
      const re2::StringPiece& whole = captures[0];
      std::size_t match_start = std::size_t(whole.data() - content_.data());
      std::size_t match_end = match_start + whole.size();
      position = match_end > position ? match_end : position + 1;

      re2::StringPiece secret = whole;
      if (rule.secret_group > 0 && rule.secret_group < wanted) {
        secret = captures[rule.secret_group];
      } else if (rule.secret_group == 0) {
        for (int g = 1; g < wanted; ++g) {
          if (!captures[g].empty()) {
            secret = captures[g];
            break;
          }
        }
      }
      if (secret.empty()) continue;
      std::size_t secret_start = std::size_t(secret.data() - content_.data());
      keep(rule_index, {match_start, match_end}, secret_start, secret_start + secret.size(),
           secret_start, secret_start + secret.size(), true, Encoding::none);
    }
  }

  /// The checks every confirmed secret passes, then the match is kept.
  /// `value` is the secret as the rules see it (decoded for encoded ones).
  void keep(std::uint32_t rule_index, std::pair<std::size_t, std::size_t> match,
            std::size_t secret_start, std::size_t secret_end, std::size_t value_start,
            std::size_t value_end, bool check_entropy, Encoding encoding,
            std::string_view decoded = {}) {
    const Rule& rule = m_.ruleset_.rules[rule_index];
    std::string_view value = encoding == Encoding::none
                                 ? content_.substr(value_start, value_end - value_start)
                                 : decoded;
    if (check_entropy && rule.min_entropy && shannon_entropy(value) < *rule.min_entropy) return;
    if (rule.secret_filter && !(*rule.secret_filter)(value)) return;
    // The evidence of a suppression is in these bytes: the match carries it
    // to the policy stage, which sets the finding aside and counts it.
    Suppression suppressed_by = Suppression::none;
    if (inline_allowed(content_, secret_start)) {
      suppressed_by = Suppression::inline_allow;
    } else if (is_allowlisted(m_.ruleset_, rule, value,
                              content_.substr(match.first, match.second - match.first),
                              line_around(content_, secret_start), path_)) {
      suppressed_by = Suppression::allowlist;
    }
    out_.push_back(
        {rule_index, match.first, match.second, secret_start, secret_end, encoding, suppressed_by});
  }

  bool mention_near(std::uint32_t context, std::size_t start, std::size_t end) {
    const Context& spec = *m_.ruleset_.contexts[context];
    // A file whose path names the vendor (k8s/datadog-secret.yaml) mentions it everywhere.
    if (path_mentions_.empty()) {
      for (const auto& each : m_.ruleset_.contexts) {
        bool named = path_ && std::any_of(each->mentions.begin(), each->mentions.end(),
                                          [&](const std::string& mention) {
                                            return contains_caseless(*path_, mention);
                                          });
        path_mentions_.push_back(named);
      }
    }
    if (path_mentions_[context]) return true;
    if (!mentions_found_) {
      m_.find_mentions(content_, s_);
      mentions_found_ = true;
    }
    const std::vector<std::size_t>& list = s_.mentions[context];
    std::size_t from = start > spec.mention_before ? start - spec.mention_before : 0;
    auto it = std::lower_bound(list.begin(), list.end(), from);
    return it != list.end() && *it <= end + spec.mention_after;
  }

  /// The verdict of a token rule on the value at [start, end); computes the
  /// name chain once per value (several rules may ask).
  TokenVerdict verdict(std::uint32_t rule_index, std::size_t start, std::size_t end) {
    const Rule& rule = m_.ruleset_.rules[rule_index];
    std::uint32_t context = m_.context_of_rule_[rule_index];
    if (context == kNoContext) return TokenVerdict::named;  // the shape alone is the evidence
    if (chain_at_ != start) {
      chain_ = name_chain(content_, start, *rule.context, s_.chain_memo, s_.work.context_bytes);
      chain_at_ = start;
    }
    // A verdict depends only on the rule and the chain's words and flags:
    // values under the same names are judged once per buffer. It is judged
    // as if Datadog were mentioned; only a verdict that rests on a mention
    // then asks for the mentions, so most buffers never look for them.
    std::string& key = s_.verdict_key;
    key.assign(reinterpret_cast<const char*>(&rule_index), sizeof rule_index);
    for (const ChainName& name : chain_) {
      key.push_back(char('0' + int(name.own) * 2 + int(name.url)));
      for (const std::string& word : name.words) key.append(word).push_back(' ');
    }
    auto [cached, inserted] = s_.verdicts.try_emplace(key, TokenVerdict::rejected);
    if (inserted) cached->second = judge_chain(chain_, rule, m_.other_kinds_[rule_index], true);
    if (cached->second != TokenVerdict::mentioned) return cached->second;
    return mention_near(context, start, end) ? TokenVerdict::mentioned : TokenVerdict::rejected;
  }

  void judge_runs() {
    auto order = [](const Scratch::Run& a, const Scratch::Run& b) {
      return a.charset != b.charset ? a.charset < b.charset : a.start < b.start;
    };
    // One charset's runs arrive in order already; sort only what is not.
    if (!std::is_sorted(s_.runs.begin(), s_.runs.end(), order)) {
      std::sort(s_.runs.begin(), s_.runs.end(), order);
    }
    std::size_t merged_end = 0;
    std::uint32_t merged_charset = UINT32_MAX;
    for (std::size_t i = 0; i < s_.runs.size(); ++i) {
      Scratch::Run run = s_.runs[i];
      const Charset& charset = m_.charsets_[run.charset];
      // Merge runs that touch (a block edge, an out-of-order report).
      while (i + 1 < s_.runs.size() && s_.runs[i + 1].charset == run.charset &&
             s_.runs[i + 1].start <= run.end) {
        run.end = std::max(run.end, s_.runs[++i].end);
      }
      if (run.charset == merged_charset && run.start < merged_end) continue;
      merged_charset = run.charset;
      merged_end = run.end;
      while (run.start > 0 && charset.member[static_cast<unsigned char>(content_[run.start - 1])])
        --run.start;
      for (auto [rule_index, shape_index] : charset.shapes) {
        const Rule& rule = m_.ruleset_.rules[rule_index];
        const TokenShape& shape = rule.tokens[shape_index];
        std::size_t length = shape.length + shape.prefix.size();
        if (run.end < length) continue;
        std::size_t start = run.end - length;
        // The charset part must be the whole run (the prefix may overlap it).
        if (run.start < start || run.start > start + shape.prefix.size()) continue;
        if (content_.compare(start, shape.prefix.size(), shape.prefix) != 0) continue;
        if (!whole_token(content_, start, run.end) || markdown_link_text(content_, start, run.end))
          continue;
        if (path_excludes(rule)) continue;
        ++s_.work.tokens;
        TokenVerdict verdict_here = verdict(rule_index, start, run.end);
        if (verdict_here == TokenVerdict::rejected) continue;
        keep(rule_index, {start, run.end}, start, run.end, start, run.end,
             verdict_here != TokenVerdict::named, Encoding::none);
      }
    }
  }

  /// A base64 run is a candidate for each shape whose text before its
  /// padding it matches in length, when exactly that padding follows.
  void judge_encoded_run(std::size_t start, std::size_t end) {
    for (const Base64Shape& shape : m_.base64_shapes_) {
      if (end - start + shape.padding != shape.encoded_length) continue;
      if (content_.compare(end, shape.padding, std::string_view("==", shape.padding)) != 0)
        continue;
      judge_encoded(shape.rule, shape.shape, start, end + shape.padding);
    }
  }

  /// [start, end) is the base64 text, with padding, of a token of the shape.
  void judge_encoded(std::uint32_t rule_index, std::uint32_t shape_index, std::size_t start,
                     std::size_t end) {
    if (start > 0 && is_base64_byte(content_[start - 1])) return;
    if (end < content_.size() && (is_base64_byte(content_[end]) || content_[end] == '=')) return;
    const Rule& rule = m_.ruleset_.rules[rule_index];
    if (path_excludes(rule)) return;
    std::optional<std::string> decoded = decode_base64(content_.substr(start, end - start));
    if (!decoded) return;
    const TokenShape& shape = rule.tokens[shape_index];
    if (decoded->size() != shape.prefix.size() + shape.length ||
        !decoded->starts_with(shape.prefix))
      return;
    // The decoded token's class: its charset's table, not parsed again per candidate.
    const std::array<bool, 256>& member =
        std::find_if(m_.charsets_.begin(), m_.charsets_.end(), [&](const Charset& charset) {
          return charset.spec == shape.charset;
        })->member;
    if (!std::all_of(decoded->begin() + std::ptrdiff_t(shape.prefix.size()), decoded->end(),
                     [&](char c) { return member[static_cast<unsigned char>(c)]; }))
      return;
    ++s_.work.tokens;
    // Only values under a name are decoded into findings: a named or mentioned verdict.
    TokenVerdict verdict_here = verdict(rule_index, start, end);
    if (verdict_here == TokenVerdict::rejected) return;
    keep(rule_index, {start, end}, start, end, 0, 0, verdict_here != TokenVerdict::named,
         Encoding::base64, *decoded);
  }

  const Matcher& m_;
  std::string_view content_;
  std::optional<std::string_view> path_;
  Scratch& s_;
  std::vector<RawMatch>& out_;
  std::size_t chain_at_ = SIZE_MAX;
  std::vector<bool> path_mentions_;  // per context, computed on first use
  bool mentions_found_ = false;      // the mention pass runs only for a buffer that needs it
  std::vector<ChainName> chain_;
};

std::string_view line_around(std::string_view content, std::size_t offset) {
  // At most kMaxWindow bytes each side: on a minified megabyte-long line,
  // every match must not cost the whole line.
  std::size_t floor = offset > kMaxWindow ? offset - kMaxWindow : 0;
  std::size_t ceiling = std::min(content.size(), offset + kMaxWindow);
  std::size_t begin = offset;
  while (begin > floor && content[begin - 1] != '\n') --begin;
  std::size_t end = content.substr(0, ceiling).find('\n', offset);
  if (end == std::string_view::npos) end = ceiling;
  return content.substr(begin, end - begin);
}

std::string base64_image_pattern(const TokenShape& shape, std::uint32_t& encoded_length) {
  std::array<bool, 256> member = charset_members(shape.charset);
  std::size_t plain_length = shape.prefix.size() + shape.length;
  // The bytes each plaintext position may hold.
  auto allowed = [&](std::size_t i) {
    std::array<bool, 256> bytes{};
    if (i < shape.prefix.size()) {
      bytes[static_cast<unsigned char>(shape.prefix[i])] = true;
    } else {
      bytes = member;
    }
    return bytes;
  };
  std::string expression;
  for (std::size_t quad = 0; quad * 3 < plain_length; ++quad) {
    std::size_t i = quad * 3;
    std::size_t present = std::min<std::size_t>(3, plain_length - i);
    std::array<bool, 256> b0 = allowed(i);
    std::array<bool, 256> b1 = present > 1 ? allowed(i + 1) : std::array<bool, 256>{};
    std::array<bool, 256> b2 = present > 2 ? allowed(i + 2) : std::array<bool, 256>{};
    if (present < 2) b1[0] = true;  // absent bytes are zero bits
    if (present < 3) b2[0] = true;
    std::array<std::array<bool, 64>, 4> chars{};
    for (unsigned x = 0; x < 256; ++x) {
      if (!b0[x]) continue;
      chars[0][x >> 2] = true;
      for (unsigned y = 0; y < 256; ++y) {
        if (!b1[y]) continue;
        chars[1][((x & 3) << 4) | (y >> 4)] = true;
        for (unsigned z = 0; z < 256 && present > 1; ++z) {
          if (!b2[z]) continue;
          chars[2][((y & 15) << 2) | (z >> 6)] = true;
          chars[3][z & 63] = true;
        }
      }
    }
    expression += base64_class(chars[0]) + base64_class(chars[1]);
    expression += present > 1 ? base64_class(chars[2]) : "=";
    expression += present > 2 ? base64_class(chars[3]) : "=";
  }
  encoded_length = std::uint32_t((plain_length + 2) / 3 * 4);
  return expression;
}

namespace {

std::vector<Anchor> build_anchors(const Ruleset& ruleset,
                                  const std::vector<Matcher::Charset>& charsets,
                                  const std::vector<bool>& base64_found_by_finder);

}  // namespace

void Matcher::plan_base64_shapes() {
  std::array<bool, 256> alphabet{};
  for (char c : std::string_view(kBase64Alphabet)) alphabet[static_cast<unsigned char>(c)] = true;
  std::size_t shortest = SIZE_MAX;
  base64_by_finder_.assign(ruleset_.rules.size(), false);
  std::vector<Base64Shape> shapes;
  for (std::uint32_t index = 0; index < ruleset_.rules.size(); ++index) {
    const Rule& rule = ruleset_.rules[index];
    if (!rule.base64 || rule.check != RuleCheck::none) continue;
    for (std::uint32_t shape = 0; shape < rule.tokens.size(); ++shape) {
      const TokenShape& token = rule.tokens[shape];
      std::size_t plain = token.prefix.size() + token.length;
      std::size_t encoded = (plain + 2) / 3 * 4;
      std::size_t padding = (3 - plain % 3) % 3;
      shapes.push_back({index, shape, encoded, padding});
      shortest = std::min(shortest, encoded - padding);
    }
  }
  // All of a ruleset's base64 shapes go one way: the finder when the
  // shortest text suits it, else Hyperscan anchors.
  if (shapes.empty() || !run_finder_.add(alphabet, shortest)) return;
  base64_class_ = std::uint32_t(run_finder_.size() - 1);
  base64_shapes_ = std::move(shapes);
  for (const Base64Shape& shape : base64_shapes_) base64_by_finder_[shape.rule] = true;
}

/// How keyword_in_regex reads the regex: as written, or as the literal text
/// it could match: an escaped punctuation character as itself and groups
/// without their parentheses (`dp\.pt\.` spells "dp.pt.", `(live|test)_`
/// spells "test_").
enum class RegexText { as_written, literal };

bool keyword_in_regex(const Rule& rule, RegexText text = RegexText::as_written) {
  std::string regex = ascii_lowercase(rule.regex);
  if (text == RegexText::literal) {
    std::string plain;
    for (std::size_t i = 0; i < regex.size(); ++i) {
      if (regex[i] == '\\' && i + 1 < regex.size() &&
          std::ispunct(static_cast<unsigned char>(regex[i + 1]))) {
        plain += regex[++i];
      } else if (regex.compare(i, 3, "(?:") == 0) {
        i += 2;
      } else if (regex[i] != '(' && regex[i] != ')') {
        plain += regex[i];
      }
    }
    regex = std::move(plain);
  }
  return std::any_of(rule.keywords.begin(), rule.keywords.end(), [&](const std::string& keyword) {
    return regex.find(keyword) != std::string::npos;
  });
}

namespace {

/// True when Hyperscan reads `pattern` as RE2 does, or takes more, so a
/// window its screen rules out holds no match for RE2. It must read bytes
/// as RE2 does (regex_reads_bytes), and have nothing Hyperscan reads more
/// narrowly: its `\s` takes a vertical tab, so `\S` and a negated class with
/// `\s` take less; its `\v`, `\h`, `\R`, `\N` are other classes than RE2's
/// (RE2's `\v` is one byte); RE2 folds the case of Latin-1 letters written
/// as escapes (`\xe9`), Hyperscan only ASCII's. Octal escapes and `\Q…\E`
/// (whose text this reading would take for syntax) are left out whole.
bool screen_reads_as_re2(const std::string& pattern) {
  if (!regex_reads_bytes(pattern)) return false;
  bool in_class = false, negated = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (std::strchr("SvVhHRNXCKQ", next) != nullptr) return false;
      if (next == 's' && in_class && negated) return false;
      if (next >= '0' && next <= '7') return false;
      if (next == 'x' && i + 1 < pattern.size() &&
          std::strchr("89abcdefABCDEF", pattern[i + 1]) != nullptr)
        return false;
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      negated = i + 1 < pattern.size() && pattern[i + 1] == '^';
      if (negated) ++i;
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') ++i;  // a leading ']' is a member
    } else if (in_class && pattern.compare(i, 2, "[:") == 0) {
      std::size_t end = pattern.find(":]", i + 2);
      if (end == std::string::npos) return false;
      i = end + 1;
    } else if (in_class && c == ']') {
      in_class = false;
    }
  }
  return true;
}

}  // namespace

void measure_keyword_windows(const Ruleset& ruleset, std::vector<Anchor>& anchors,
                             std::vector<std::string>& skipped) {
  // A keyword may be anywhere in the input (gitleaks). When the regex spells
  // out a keyword and is narrow, its matches hold a keyword, and a window
  // around each keyword hit finds them all: the cheap way. Otherwise the
  // keywords only gate the rule for the input, and Hyperscan runs the regex
  // itself (as written or as a prefilter); failing that, RE2 runs over the
  // whole input when a keyword occurs.
  // A gating regex that spells a keyword (generic-api-key's `key`) costs
  // little in the main database, which looks for that literal anyway. One
  // that spells none (`\d{15,16}(\||%)…` behind "facebook") is a search of
  // its own, measured at a third of the main database's time with gitleaks'
  // rules, for hits that count only where a keyword occurs: it is triggered,
  // scanned in a database of its own over just those inputs.
  std::vector<std::size_t> keyword_window(ruleset.rules.size(), 0);
  for (Anchor& anchor : anchors) {
    if (anchor.kind != AnchorKind::regex) continue;
    const Rule& rule = ruleset.rules[anchor.target];
    unsigned flags = 0;
    std::size_t width = kMaxWindow;
    std::string error_text;
    if (rule.keywords.empty()) {
      if (regex_width(anchor.expression, flags, width, error_text)) {
        anchor.flags = flags;
        anchor.back = width;
      } else if (rule.optional) {
        skipped.push_back(rule.source + ": rule '" + rule.id +
                          "' skipped: Hyperscan cannot compile its pattern (" + error_text + ")");
        anchor.back = kNotInDatabase;
      } else {
        validate_rule(rule);  // a syntax error is better told in RE2's words
        throw UsageError(rule.source + ": rule '" + rule.id +
                         "': Hyperscan cannot compile the regex (" + error_text +
                         "); give the rule keywords to anchor it instead");
      }
      continue;
    }
    if (!regex_width(anchor.expression, flags, width, error_text)) {
      anchor.back = kWholeInput;
    } else if (width <= kMaxKeywordWindow && keyword_in_regex(rule)) {
      keyword_window[anchor.target] = width;
      anchor.back = kNotInDatabase;
    } else {
      anchor.flags = flags;
      anchor.back = width;
      anchor.triggered = !keyword_in_regex(rule, RegexText::literal);
    }
  }
  for (Anchor& anchor : anchors) {
    if (anchor.kind != AnchorKind::keyword) continue;
    anchor.back = anchor.forward = keyword_window[anchor.target];
    // A keyword that only gates needs its first hit, not the thousands of a
    // word like "key" in code.
    if (anchor.back == 0) anchor.flags |= HS_FLAG_SINGLEMATCH;
  }
}

Matcher::Matcher(const Ruleset& ruleset, const MatcherOptions& options, Diagnostics& diagnostics)
    : ruleset_(ruleset),
      database_(nullptr, free_database),
      mention_database_(nullptr, free_database),
      mention_scratch_(nullptr, free_scratch),
      prototype_scratch_(nullptr, free_scratch) {
  keep_skip_report_ = options.keep_skip_report;
  cache_dir_ = options.cache_dir;
  context_rules_.resize(ruleset_.contexts.size());
  for (std::uint32_t index = 0; index < ruleset_.rules.size(); ++index) {
    const Rule& rule = ruleset_.rules[index];
    if (is_path_only(rule)) path_only_rules_.push_back(index);
    if (rule.id == "generic-api-key") generic_rule_ = index;
    auto has_paths = [](const std::vector<Allowlist>& lists) {
      return std::any_of(lists.begin(), lists.end(),
                         [](const Allowlist& list) { return !list.paths.empty(); });
    };
    // A lint check judges by the path itself.
    path_dependent_.push_back(rule.check != RuleCheck::none || rule.compiled_path != nullptr ||
                              has_paths(rule.allowlists) || has_paths(ruleset_.global_allowlists));
    std::uint32_t context = kNoContext;
    for (std::uint32_t c = 0; c < ruleset_.contexts.size(); ++c) {
      if (rule.context == ruleset_.contexts[c]) context = c;
    }
    context_of_rule_.push_back(context);
    if (context != kNoContext) context_rules_[context].push_back(&rule);
    for (std::uint32_t shape = 0; shape < rule.tokens.size(); ++shape) {
      const TokenShape& token = rule.tokens[shape];
      auto same = std::find_if(charsets_.begin(), charsets_.end(),
                               [&](const Charset& c) { return c.spec == token.charset; });
      if (same == charsets_.end()) {
        charsets_.push_back(
            {token.charset, charset_members(token.charset), token.length, {}, std::nullopt});
        same = charsets_.end() - 1;
      }
      same->shortest = std::min(same->shortest, token.length);
      same->shapes.emplace_back(index, shape);
    }
  }
  for (std::uint32_t c = 0; c < charsets_.size(); ++c) {
    if (!run_finder_.add(charsets_[c].member, charsets_[c].shortest)) continue;
    charsets_[c].run_class = std::uint32_t(run_finder_.size() - 1);
    charset_of_class_.push_back(c);
  }
  plan_base64_shapes();
  // Other kinds of key of each token rule's context: a rule for the same kind
  // (the Agent-config API key rule beside the general one) names values that
  // are the other's too, so only other key types count.
  other_kinds_.resize(ruleset_.rules.size());
  for (std::uint32_t index = 0; index < ruleset_.rules.size(); ++index) {
    if (context_of_rule_[index] == kNoContext) continue;
    for (const Rule* rule : context_rules_[context_of_rule_[index]]) {
      if (rule->key_type != ruleset_.rules[index].key_type) other_kinds_[index].push_back(rule);
    }
  }
  anchors_ = build_anchors(ruleset_, charsets_, base64_by_finder_);
  if (anchors_.empty()) {
    validate_rules(ruleset_);
    return;
  }
  const std::string key = database_cache_key(anchors_, ruleset_);

  // A cache entry exists only for a ruleset that was validated when the entry
  // was written (the key covers every regex), so a hit skips validation and
  // the window measurement, and rule regexes compile only when first needed.
  std::string cached = read_cached_database(options.cache_dir, key);
  loaded_from_cache_ = !cached.empty() && load_cached_databases(cached);
  if (!loaded_from_cache_) {
    validate_rules(ruleset_);
    std::vector<std::string> skipped;
    measure_keyword_windows(ruleset_, anchors_, skipped);
    for (std::string& note : skipped) diagnostics.warn(std::move(note));
  }

  while (!database_) {
    std::vector<const char*> expressions;
    std::vector<unsigned> flags, ids;
    for (unsigned id = 0; id < anchors_.size(); ++id) {
      if (anchors_[id].back == kWholeInput || anchors_[id].back == kNotInDatabase ||
          anchors_[id].triggered)
        continue;
      expressions.push_back(anchors_[id].expression.c_str());
      flags.push_back(anchors_[id].flags);
      ids.push_back(id);
    }
    hs_database_t* database = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(expressions.data(), flags.data(), ids.data(), unsigned(expressions.size()),
                         HS_MODE_BLOCK, nullptr, &database, &error) == HS_SUCCESS) {
      database_.reset(database);
      break;
    }
    std::string reason = error->message;
    int failed = error->expression;
    hs_free_compile_error(error);
    if (failed < 0) throw RuntimeFailure("Hyperscan could not build the rule database: " + reason);
    Anchor& anchor = anchors_[ids[std::size_t(failed)]];
    // A regex that parses but is too large as written may still compile as a
    // prefilter; RE2 confirms every candidate anyway.
    if (anchor.kind == AnchorKind::regex && !(anchor.flags & HS_FLAG_PREFILTER)) {
      anchor.flags |= HS_FLAG_PREFILTER;
      continue;
    }
    // A keyword rule still has its keywords to gate a whole-input RE2 pass.
    if (anchor.kind == AnchorKind::regex && !ruleset_.rules[anchor.target].keywords.empty()) {
      anchor.back = kWholeInput;
      continue;
    }
    if (anchor.kind == AnchorKind::regex && ruleset_.rules[anchor.target].optional) {
      const Rule& rule = ruleset_.rules[anchor.target];
      diagnostics.warn(rule.source + ": rule '" + rule.id +
                       "' skipped: Hyperscan cannot compile its pattern (" + reason + ")");
      anchor.back = kNotInDatabase;
      continue;
    }
    std::string what = anchor.kind == AnchorKind::keyword ? "a keyword"
                       : anchor.kind == AnchorKind::regex ? "the regex"
                                                          : "a token";
    std::string owner = anchor.kind == AnchorKind::token_run
                            ? "token charset '" + charsets_[anchor.target].spec + "'"
                            : ruleset_.rules[anchor.target].source + ": rule '" +
                                  ruleset_.rules[anchor.target].id + "'";
    throw UsageError(owner + ": Hyperscan cannot compile " + what + ": " + reason);
  }

  if (!loaded_from_cache_) compile_triggered_databases(diagnostics);

  if (!loaded_from_cache_ && !options.cache_dir.empty()) {
    std::vector<std::unique_ptr<char, void (*)(void*)>> buffers;
    std::vector<std::string_view> serialized;
    for (const hs_database* database : databases()) {
      char* bytes = nullptr;
      std::size_t length = 0;
      if (hs_serialize_database(database, &bytes, &length) != HS_SUCCESS) break;
      buffers.emplace_back(bytes, std::free);
      serialized.emplace_back(bytes, length);
    }
    if (serialized.size() == 1 + triggered_.size()) {
      std::string problem =
          write_cached_database(options.cache_dir, key, encode_cache_entry(anchors_, serialized));
      if (!problem.empty()) diagnostics.warn("cannot cache the rule database: " + problem);
    }
  }

  gated_.assign(ruleset_.rules.size(), false);
  screens_ = std::make_unique<Screen[]>(ruleset_.rules.size());
  for (const Anchor& anchor : anchors_) {
    if (anchor.kind != AnchorKind::regex || ruleset_.rules[anchor.target].keywords.empty())
      continue;
    gated_[anchor.target] = anchor.back != kNotInDatabase;
    if (anchor.back == kWholeInput) whole_input_rules_.push_back(anchor.target);
    // Keyword windows: a screen rules most of them out before RE2.
    if (anchor.back == kNotInDatabase)
      screens_[anchor.target].wanted = screen_reads_as_re2(ruleset_.rules[anchor.target].regex);
  }
  // One scratch serves every database: each allocation grows it to fit.
  hs_scratch_t* scratch = nullptr;
  for (const hs_database* database : databases()) {
    if (hs_alloc_scratch(database, &scratch) != HS_SUCCESS) {
      hs_free_scratch(scratch);
      throw RuntimeFailure("Hyperscan could not allocate scratch space");
    }
  }
  prototype_scratch_.reset(scratch);
}

std::vector<const hs_database*> Matcher::databases() const {
  std::vector<const hs_database*> all{database_.get()};
  for (const TriggeredDatabase& triggered : triggered_) all.push_back(triggered.database.get());
  return all;
}

bool Matcher::load_cached_databases(const std::string& entry) {
  std::vector<std::string_view> serialized;
  if (!decode_cache_entry(entry, anchors_, serialized)) return false;
  std::vector<Database> loaded;
  for (std::string_view bytes : serialized) {
    hs_database_t* database = nullptr;
    if (hs_deserialize_database(bytes.data(), bytes.size(), &database) != HS_SUCCESS) return false;
    loaded.emplace_back(database, free_database);
  }
  std::vector<TriggeredDatabase> triggered;
  for (std::uint32_t id = 0; id < anchors_.size(); ++id) {
    if (!anchors_[id].triggered) continue;
    if (triggered.size() + 1 >= loaded.size()) return false;
    triggered.push_back({id, std::move(loaded[triggered.size() + 1])});
  }
  if (triggered.size() + 1 != loaded.size()) return false;
  database_ = std::move(loaded[0]);
  triggered_ = std::move(triggered);
  return true;
}

namespace {

/// `expression` alone in a database whose matches report `id`: as written
/// with `flags`, else as a prefilter (a superset, which RE2 confirms; `flags`
/// then has the prefilter flag). Null, with Hyperscan's reason, when it
/// takes neither.
hs_database_t* compile_alone(const std::string& expression, unsigned& flags, unsigned id,
                             std::string& reason) {
  const char* text = expression.c_str();
  for (;;) {
    hs_database_t* database = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(&text, &flags, &id, 1, HS_MODE_BLOCK, nullptr, &database, &error) ==
        HS_SUCCESS) {
      return database;
    }
    reason = error->message;
    hs_free_compile_error(error);
    if (flags & HS_FLAG_PREFILTER) return nullptr;
    flags |= HS_FLAG_PREFILTER;
  }
}

/// A rule regex's screen from the cache, or null.
hs_database_t* cached_screen(const std::string& regex, const std::string& cache_dir) {
  hs_database_t* database = nullptr;
  const std::string cached = read_cached_database(cache_dir, screen_cache_key(regex));
  if (!cached.empty() &&
      hs_deserialize_database(cached.data(), cached.size(), &database) == HS_SUCCESS) {
    return database;
  }
  return nullptr;
}

/// A rule regex alone, compiled to screen its windows and cached. Null when
/// Hyperscan cannot compile it: RE2 takes every window.
hs_database_t* compile_screen(const std::string& regex, const std::string& cache_dir) {
  unsigned flags = HS_FLAG_SINGLEMATCH;  // one match answers a screen
  std::string reason;
  hs_database_t* database = compile_alone(regex, flags, 0, reason);
  char* bytes = nullptr;
  std::size_t length = 0;
  if (database != nullptr && hs_serialize_database(database, &bytes, &length) == HS_SUCCESS) {
    // A cache: failing to write it costs a compile next time, nothing more.
    write_cached_database(cache_dir, screen_cache_key(regex), std::string(bytes, length));
    std::free(bytes);
  }
  return database;
}

}  // namespace

const hs_database* Matcher::screen_of(std::uint32_t rule) const {
  if (!screens_ || !screens_[rule].wanted) return nullptr;
  Screen& screen = screens_[rule];
  if (screen.ready.load(std::memory_order_acquire)) return screen.database.get();
  const std::string& regex = ruleset_.rules[rule].regex;
  std::call_once(screen.looked_up, [&] {
    if (hs_database_t* cached = cached_screen(regex, cache_dir_)) {
      screen.database.reset(cached);
      screen.ready.store(true, std::memory_order_release);
    }
  });
  if (screen.ready.load(std::memory_order_acquire)) return screen.database.get();
  // Compiling costs about 7 ms, the RE2 work of some 10,000 windows: a rule
  // earns a screen by its windows, so a small scan (a hook's) never pays for
  // one, and a rule that gets many keeps its screen for later runs.
  if (screen.windows.fetch_add(1, std::memory_order_relaxed) + 1 < kScreenAfterWindows)
    return nullptr;
  std::call_once(screen.compiled, [&] {
    screen.database.reset(compile_screen(regex, cache_dir_));
    screen.ready.store(true, std::memory_order_release);
  });
  return screen.database.get();
}

void Matcher::compile_triggered_databases(Diagnostics& diagnostics) {
  for (std::uint32_t id = 0; id < anchors_.size(); ++id) {
    Anchor& anchor = anchors_[id];
    if (!anchor.triggered) continue;
    std::string reason;
    if (hs_database_t* database = compile_alone(anchor.expression, anchor.flags, id, reason)) {
      triggered_.push_back({id, Database(database, free_database)});
      continue;
    }
    // As in the main database: RE2 over the whole input.
    const Rule& rule = ruleset_.rules[anchor.target];
    diagnostics.warn(rule.source + ": rule '" + rule.id +
                     "': Hyperscan cannot compile its regex (" + reason +
                     "); RE2 runs it over every input that holds a keyword");
    anchor.triggered = false;
    anchor.back = kWholeInput;
  }
}

namespace {

std::vector<Anchor> build_anchors(const Ruleset& ruleset,
                                  const std::vector<Matcher::Charset>& charsets,
                                  const std::vector<bool>& base64_found_by_finder) {
  std::vector<Anchor> anchors;
  for (std::uint32_t c = 0; c < charsets.size(); ++c) {
    if (charsets[c].run_class) continue;
    anchors.push_back({AnchorKind::token_run, c,
                       "[" + charsets[c].spec + "]{" + std::to_string(charsets[c].shortest) + "}",
                       0, 0, 0, charsets[c].shortest, 0});
  }
  for (std::uint32_t index = 0; index < ruleset.rules.size(); ++index) {
    const Rule& rule = ruleset.rules[index];
    if (rule.check != RuleCheck::none) continue;  // a lint check: code finds it, not the database
    if (!rule.tokens.empty()) {
      if (!rule.base64 || base64_found_by_finder[index]) continue;
      for (std::uint32_t shape = 0; shape < rule.tokens.size(); ++shape) {
        std::uint32_t encoded_length = 0;
        std::string expression = base64_image_pattern(rule.tokens[shape], encoded_length);
        anchors.push_back({AnchorKind::base64, index, expression, 0, 0, 0, encoded_length, shape});
      }
      continue;
    }
    if (is_path_only(rule)) continue;  // judged by the path alone
    if (rule.keywords.empty()) {
      // Measured (and checked) by measure_keyword_windows, when compiling.
      anchors.push_back({AnchorKind::regex, index, rule.regex, 0, 0, 0, 0, 0});
      continue;
    }
    // Keywords and the regex are both anchors; measure_keyword_windows decides
    // which one opens the windows RE2 confirms.
    for (const std::string& keyword : rule.keywords) {
      anchors.push_back(
          {AnchorKind::keyword, index, escape_literal(keyword), HS_FLAG_CASELESS, 0, 0, 0, 0});
    }
    anchors.push_back({AnchorKind::regex, index, rule.regex, 0, 0, 0, 0, 0});
  }
  return anchors;
}

}  // namespace

Matcher::~Matcher() = default;

void Matcher::ScratchDeleter::operator()(Scratch* scratch) const {
  delete scratch;
}

Matcher::ScratchPtr Matcher::make_scratch() const {
  ScratchPtr scratch(new Scratch());
  scratch->screen_fits.assign(ruleset_.rules.size(), 0);
  if (prototype_scratch_) {
    hs_scratch_t* clone = nullptr;
    if (hs_clone_scratch(prototype_scratch_.get(), &clone) != HS_SUCCESS) {
      throw RuntimeFailure("Hyperscan could not clone scratch space");
    }
    scratch->hs.reset(clone);
  }
  return scratch;
}

const MatchWork& Matcher::work(const Scratch& scratch) {
  return scratch.work;
}

void Matcher::find(std::string_view content, std::optional<std::string_view> path, Scratch& scratch,
                   std::vector<RawMatch>& out) const {
  if (content.empty()) return;
  scratch.windows.assign(ruleset_.rules.size(), {});
  scratch.keyword_seen.assign(ruleset_.rules.size(), 0);
  scratch.pending.clear();
  scratch.current_runs.assign(charsets_.size(), {0, 0, 0});
  scratch.runs.clear();
  scratch.encoded.clear();
  scratch.mentions.resize(ruleset_.contexts.size());
  for (auto& list : scratch.mentions) list.clear();
  scratch.chain_memo.reset();
  scratch.verdicts.clear();

  Pass pass(*this, content, path, scratch, out);
  // The callback only records (see Pass::on_hit); judging happens after the scan.
  struct Callback {
    static int call(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                    void* context) {
      auto* pair = static_cast<std::pair<Pass*, Scratch*>*>(context);
      return pair->first->on_hit(id, pair->second->block_offset + std::size_t(to));
    }
  };
  std::pair<Pass*, Scratch*> context{&pass, &scratch};
  auto scan_with = [&](const hs_database* database) {
    const std::size_t overlap = 2 * kMaxWindow;
    for (std::size_t offset = 0; offset < content.size();) {
      std::size_t length = std::min(content.size() - offset, kMaxBlock);
      scratch.block_offset = offset;
      hs_error_t status = hs_scan(database, content.data() + offset, unsigned(length), 0,
                                  scratch.hs.get(), Callback::call, &context);
      if (status != HS_SUCCESS) throw RuntimeFailure("Hyperscan scan failed");
      if (offset + length >= content.size()) break;
      offset += length - overlap;
    }
  };
  if (database_) scan_with(database_.get());
  // The main pass has told which keywords occur: only their triggered regexes run.
  for (const TriggeredDatabase& triggered : triggered_) {
    if (!scratch.keyword_seen[anchors_[triggered.anchor].target]) continue;
    scratch.work.triggered_bytes += content.size();
    scan_with(triggered.database.get());
  }
  pass.finish();
}

void Matcher::find_mentions(std::string_view content, Scratch& scratch) const {
  std::call_once(mention_database_once_, [this] {
    std::vector<std::string> expressions;
    std::vector<const char*> pointers;
    std::vector<unsigned> flags, ids;
    for (std::uint32_t c = 0; c < ruleset_.contexts.size(); ++c) {
      for (const std::string& mention : ruleset_.contexts[c]->mentions) {
        expressions.push_back(escape_literal(mention));
        flags.push_back(HS_FLAG_CASELESS);
        ids.push_back(c);
      }
    }
    if (expressions.empty()) return;
    for (const std::string& expression : expressions) pointers.push_back(expression.c_str());
    hs_database_t* database = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(pointers.data(), flags.data(), ids.data(), unsigned(pointers.size()),
                         HS_MODE_BLOCK, nullptr, &database, &error) != HS_SUCCESS) {
      std::string reason = error->message;
      hs_free_compile_error(error);
      mention_error_ = "Hyperscan cannot compile the contexts' mentions: " + reason;
      return;
    }
    mention_database_.reset(database);
    hs_scratch_t* prototype = nullptr;
    if (hs_alloc_scratch(database, &prototype) != HS_SUCCESS) {
      mention_error_ = "Hyperscan could not allocate scratch space";
      return;
    }
    mention_scratch_.reset(prototype);
  });
  if (!mention_error_.empty()) throw RuntimeFailure(mention_error_);
  if (!mention_database_) return;
  if (!scratch.mention_hs) {
    hs_scratch_t* clone = nullptr;
    if (hs_clone_scratch(mention_scratch_.get(), &clone) != HS_SUCCESS) {
      throw RuntimeFailure("Hyperscan could not clone scratch space");
    }
    scratch.mention_hs.reset(clone);
  }
  struct Callback {
    static int call(unsigned int context, unsigned long long, unsigned long long to, unsigned int,
                    void* state) {
      auto* s = static_cast<Scratch*>(state);
      std::vector<std::size_t>& list = s->mentions[context];
      std::size_t end = s->block_offset + std::size_t(to);
      if (list.empty() || end >= list.back() + kMentionSpacing) list.push_back(end);
      return 0;
    }
  };
  for (std::size_t offset = 0; offset < content.size(); offset += kMaxBlock) {
    std::size_t length = std::min(content.size() - offset, kMaxBlock);
    scratch.block_offset = offset;
    if (hs_scan(mention_database_.get(), content.data() + offset, unsigned(length), 0,
                scratch.mention_hs.get(), Callback::call, &scratch) != HS_SUCCESS) {
      throw RuntimeFailure("Hyperscan scan failed");
    }
  }
  for (auto& list : scratch.mentions) std::sort(list.begin(), list.end());
}

bool inline_allowed(std::string_view content, std::size_t offset) {
  std::string_view line = line_around(content, offset);
  for (std::string_view marker : {"keysweep:allow", "gitleaks:allow", "pragma: allowlist secret"}) {
    if (line.find(marker) != std::string_view::npos &&
        line.find("keysweep:allow-next-line") == std::string_view::npos) {
      return true;
    }
  }
  std::size_t line_start = std::size_t(line.data() - content.data());
  // Only a real line break has a line before it: on a line longer than the
  // window, a marker earlier on the key's own line must not pass for one.
  if (line_start == 0 || content[line_start - 1] != '\n') return false;
  std::string_view previous = line_around(content, line_start - 1);
  for (std::string_view marker :
       {"keysweep:allow-next-line", "pragma: allowlist nextline secret"}) {
    if (previous.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

bool is_allowlisted(const Ruleset& ruleset, const Rule& rule, std::string_view secret,
                    std::string_view match, std::string_view line,
                    std::optional<std::string_view> path, std::optional<std::string_view> commit) {
  for (const auto* lists : {&rule.allowlists, &ruleset.global_allowlists}) {
    for (const Allowlist& allowlist : *lists) {
      if (allowlist_matches(allowlist, secret, match, line, path, commit)) return true;
    }
  }
  return false;
}

}  // namespace keysweep
