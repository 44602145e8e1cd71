#include "matcher/matcher.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

#include "matcher/database_cache.h"
#include "rules/rule_loader.h"
#include "util/diagnostics.h"
#include "util/entropy.h"
#include "util/error.h"

namespace keysweep {
namespace {

/// The widest window a rule gets when its regex has no bounded width.
constexpr std::size_t kMaxWindow = 4096;
/// hs_scan takes an unsigned int length; larger buffers are scanned in blocks
/// that overlap by two windows, so no match straddles a block edge unseen.
constexpr std::size_t kMaxBlock = std::size_t(1) << 30;
/// A guard against pathological inputs (a file that is one keyword repeated).
constexpr std::size_t kMaxHitsPerBuffer = std::size_t(1) << 22;

struct Hit {
  unsigned int anchor;
  std::size_t end;
};

struct Window {
  std::uint32_t rule;
  std::size_t low, high;
};

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
  for (unsigned candidate : {0u, unsigned(HS_FLAG_PREFILTER)}) {
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_expression_info(regex.c_str(), candidate, &info, &error) == HS_SUCCESS) {
      flags = candidate;
      width = info->max_width == UINT_MAX ? kMaxWindow : std::min<std::size_t>(info->max_width, kMaxWindow);
      std::free(info);
      return true;
    }
    error_text = error->message;
    hs_free_compile_error(error);
  }
  return false;
}

void free_database(hs_database* database) { hs_free_database(database); }
void free_scratch(hs_scratch* scratch) { hs_free_scratch(scratch); }

}  // namespace

std::string_view line_around(std::string_view content, std::size_t offset) {
  std::size_t begin = content.rfind('\n', offset == 0 ? 0 : offset - 1);
  begin = (begin == std::string_view::npos || offset == 0) ? 0 : begin + 1;
  std::size_t end = content.find('\n', offset);
  if (end == std::string_view::npos) end = content.size();
  return content.substr(begin, end - begin);
}

namespace {

bool contains_caseless(std::string_view haystack, std::string_view lowercase_needle) {
  auto it = std::search(haystack.begin(), haystack.end(), lowercase_needle.begin(),
                        lowercase_needle.end(), [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) == b;
                        });
  return it != haystack.end();
}

bool allowlist_matches(const Allowlist& allowlist, std::string_view secret, std::string_view match,
                       std::string_view line, std::optional<std::string_view> path) {
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
      // Tree scans have no commit, so a commits criterion never matches here.
      {!allowlist.commits.empty(), false},
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

class Matcher::Scratch {
 public:
  std::unique_ptr<hs_scratch, void (*)(hs_scratch*)> hs{nullptr, free_scratch};
  std::vector<Hit> hits;
  std::vector<Window> windows;
  std::size_t block_offset = 0;
};

std::vector<Anchor> build_anchors(const Ruleset& ruleset) {
  std::vector<Anchor> anchors;
  for (std::uint32_t index = 0; index < ruleset.rules.size(); ++index) {
    const Rule& rule = ruleset.rules[index];
    if (!rule.check.empty()) continue;  // a lint check: code finds it, not the database
    if (rule.keywords.empty()) {
      unsigned flags = 0;
      std::size_t width = kMaxWindow;
      std::string error_text;
      if (!regex_width(rule.regex, flags, width, error_text)) {
        validate_rule(rule);  // a syntax error is better told in RE2's words
        throw UsageError(rule.source + ": rule '" + rule.id +
                         "': Hyperscan cannot compile the regex (" + error_text +
                         "); give the rule keywords to anchor it instead");
      }
      anchors.push_back({index, rule.regex, flags, width, 0});
      continue;
    }
    for (const std::string& keyword : rule.keywords) {
      anchors.push_back({index, escape_literal(keyword), HS_FLAG_CASELESS, 0, 0});
    }
  }
  return anchors;
}

void measure_keyword_windows(const Ruleset& ruleset, std::vector<Anchor>& anchors) {
  std::vector<std::size_t> width_of(ruleset.rules.size(), 0);
  for (Anchor& anchor : anchors) {
    if (!(anchor.flags & HS_FLAG_CASELESS)) continue;  // regex anchors were measured when built
    std::size_t& width = width_of[anchor.rule];
    if (width == 0) {
      unsigned flags = 0;
      std::string error_text;
      width = kMaxWindow;  // a regex Hyperscan cannot parse gets the widest window
      regex_width(ruleset.rules[anchor.rule].regex, flags, width, error_text);
    }
    anchor.back = anchor.forward = width;
  }
}

Matcher::Matcher(const Ruleset& ruleset, const MatcherOptions& options, Diagnostics& diagnostics)
    : ruleset_(ruleset),
      anchors_(build_anchors(ruleset)),
      database_(nullptr, free_database),
      prototype_scratch_(nullptr, free_scratch) {
  for (const Rule& rule : ruleset_.rules) {
    auto has_paths = [](const std::vector<Allowlist>& lists) {
      return std::any_of(lists.begin(), lists.end(),
                         [](const Allowlist& list) { return !list.paths.empty(); });
    };
    // A lint check judges by the path itself.
    path_dependent_.push_back(!rule.check.empty() || rule.compiled_path != nullptr ||
                              has_paths(rule.allowlists) || has_paths(ruleset_.global_allowlists));
  }
  if (anchors_.empty()) {
    validate_rules(ruleset_);
    return;
  }
  const std::string key = database_cache_key(anchors_, ruleset_);

  // A cache entry exists only for a ruleset that was validated when the entry
  // was written (the key covers every regex), so a hit skips validation and
  // the window measurement, and rule regexes compile only when first needed.
  std::string cached = read_cached_database(options.cache_dir, key);
  std::string_view serialized;
  if (!cached.empty() && decode_cache_entry(cached, anchors_, serialized)) {
    hs_database_t* database = nullptr;
    if (hs_deserialize_database(serialized.data(), serialized.size(), &database) == HS_SUCCESS) {
      database_.reset(database);
      loaded_from_cache_ = true;
    }
  }
  if (!loaded_from_cache_) {
    validate_rules(ruleset_);
    measure_keyword_windows(ruleset_, anchors_);
  }

  while (!database_) {
    std::vector<const char*> expressions;
    std::vector<unsigned> flags, ids;
    for (unsigned id = 0; id < anchors_.size(); ++id) {
      expressions.push_back(anchors_[id].expression.c_str());
      flags.push_back(anchors_[id].flags);
      ids.push_back(id);
    }
    hs_database_t* database = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(expressions.data(), flags.data(), ids.data(), unsigned(anchors_.size()),
                         HS_MODE_BLOCK, nullptr, &database, &error) == HS_SUCCESS) {
      database_.reset(database);
      break;
    }
    std::string reason = error->message;
    int failed = error->expression;
    hs_free_compile_error(error);
    if (failed < 0) throw RuntimeFailure("Hyperscan could not build the rule database: " + reason);
    Anchor& anchor = anchors_[std::size_t(failed)];
    // A regex that parses but is too large as written may still compile as a
    // prefilter; RE2 confirms every candidate anyway.
    if (!(anchor.flags & HS_FLAG_PREFILTER) && !(anchor.flags & HS_FLAG_CASELESS)) {
      anchor.flags |= HS_FLAG_PREFILTER;
      continue;
    }
    const Rule& rule = ruleset_.rules[anchor.rule];
    throw UsageError(rule.source + ": rule '" + rule.id + "': Hyperscan cannot compile " +
                     (anchor.flags & HS_FLAG_CASELESS ? "a keyword" : "the regex") + ": " + reason);
  }

  if (!loaded_from_cache_ && !options.cache_dir.empty()) {
    char* bytes = nullptr;
    std::size_t length = 0;
    if (hs_serialize_database(database_.get(), &bytes, &length) == HS_SUCCESS) {
      std::string problem = write_cached_database(
          options.cache_dir, key, encode_cache_entry(anchors_, std::string_view(bytes, length)));
      std::free(bytes);
      if (!problem.empty()) diagnostics.warn("cannot cache the rule database: " + problem);
    }
  }

  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(database_.get(), &scratch) != HS_SUCCESS) {
    throw RuntimeFailure("Hyperscan could not allocate scratch space");
  }
  prototype_scratch_.reset(scratch);
}

Matcher::~Matcher() = default;

void Matcher::ScratchDeleter::operator()(Scratch* scratch) const { delete scratch; }

Matcher::ScratchPtr Matcher::make_scratch() const {
  ScratchPtr scratch(new Scratch());
  if (prototype_scratch_) {
    hs_scratch_t* clone = nullptr;
    if (hs_clone_scratch(prototype_scratch_.get(), &clone) != HS_SUCCESS) {
      throw RuntimeFailure("Hyperscan could not clone scratch space");
    }
    scratch->hs.reset(clone);
  }
  return scratch;
}

bool Matcher::find(std::string_view content, std::optional<std::string_view> path,
                   Scratch& scratch, std::vector<RawMatch>& out) const {
  if (!database_ || content.empty()) return true;
  scratch.hits.clear();
  bool complete = true;

  // The callback only records; all thinking happens after the scan.
  auto on_hit = [](unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                   void* context) -> int {
    auto* state = static_cast<Scratch*>(context);
    if (state->hits.size() >= kMaxHitsPerBuffer) return 1;
    state->hits.push_back({id, state->block_offset + std::size_t(to)});
    return 0;
  };
  const std::size_t overlap = 2 * kMaxWindow;
  for (std::size_t offset = 0; offset < content.size();) {
    std::size_t length = std::min(content.size() - offset, kMaxBlock);
    scratch.block_offset = offset;
    hs_error_t status = hs_scan(database_.get(), content.data() + offset, unsigned(length), 0,
                                scratch.hs.get(), on_hit, &scratch);
    if (status == HS_SCAN_TERMINATED) {
      complete = false;
      break;
    }
    if (status != HS_SUCCESS) throw RuntimeFailure("Hyperscan scan failed");
    if (offset + length >= content.size()) break;
    offset += length - overlap;
  }

  scratch.windows.clear();
  for (const Hit& hit : scratch.hits) {
    const Anchor& anchor = anchors_[hit.anchor];
    std::size_t low = hit.end > anchor.back ? hit.end - anchor.back : 0;
    std::size_t high = std::min(content.size(), hit.end + anchor.forward);
    scratch.windows.push_back({anchor.rule, low, high});
  }
  std::sort(scratch.windows.begin(), scratch.windows.end(), [](const Window& a, const Window& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.low < b.low;
  });
  for (std::size_t i = 0; i < scratch.windows.size();) {
    Window merged = scratch.windows[i++];
    while (i < scratch.windows.size() && scratch.windows[i].rule == merged.rule &&
           scratch.windows[i].low <= merged.high) {
      merged.high = std::max(merged.high, scratch.windows[i++].high);
    }
    const Rule& rule = ruleset_.rules[merged.rule];
    if (rule.compiled_path && path &&
        !re2::RE2::PartialMatch(re2::StringPiece(path->data(), path->size()), *rule.compiled_path)) {
      continue;
    }
    confirm_window(content, path, merged.rule, merged.low, merged.high, out);
  }
  return complete;
}

void Matcher::confirm_window(std::string_view content, std::optional<std::string_view> path,
                             std::uint32_t rule_index, std::size_t low, std::size_t high,
                             std::vector<RawMatch>& out) const {
  const Rule& rule = ruleset_.rules[rule_index];
  const re2::RE2& regex = rule.compiled_regex->get();
  const int groups = regex.NumberOfCapturingGroups() + 1;
  re2::StringPiece captures[32];
  const int wanted = std::min(groups, 32);
  const re2::StringPiece text(content.data(), content.size());

  std::size_t position = low;
  while (position < high &&
         regex.Match(text, position, high, re2::RE2::UNANCHORED, captures, wanted)) {
    const re2::StringPiece& whole = captures[0];
    std::size_t match_start = std::size_t(whole.data() - content.data());
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
    std::string_view secret_view(secret.data(), secret.size());
    if (rule.min_entropy && shannon_entropy(secret_view) < *rule.min_entropy) continue;
    if (rule.secret_filter && !(*rule.secret_filter)(secret_view)) continue;
    std::size_t secret_start = std::size_t(secret.data() - content.data());
    std::string_view line = line_around(content, secret_start);
    if (has_inline_allow(line) ||
        is_allowlisted(ruleset_, rule, secret_view,
                       content.substr(match_start, match_end - match_start), line, path)) {
      continue;
    }
    out.push_back({rule_index, match_start, match_end, secret_start, secret_start + secret.size()});
  }
}

bool has_inline_allow(std::string_view line) {
  for (std::string_view marker : {"keysweep:allow", "gitleaks:allow", "pragma: allowlist secret"}) {
    if (line.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

bool is_allowlisted(const Ruleset& ruleset, const Rule& rule, std::string_view secret,
                    std::string_view match, std::string_view line,
                    std::optional<std::string_view> path) {
  for (const auto* lists : {&rule.allowlists, &ruleset.global_allowlists}) {
    for (const Allowlist& allowlist : *lists) {
      if (allowlist_matches(allowlist, secret, match, line, path)) return true;
    }
  }
  return false;
}

}  // namespace keysweep
