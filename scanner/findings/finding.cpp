#include "findings/finding.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "findings/datadog_site.h"
#include "findings/scan_result.h"
#include "matcher/secret_span_index.h"
#include "util/escape.h"
#include "util/sha256.h"

namespace keysweep {
namespace {

/// Snippets keep at most this many bytes on each side of the secret.
constexpr std::size_t kSnippetContext = 120;
/// Longer secrets than this are not looked for before a snippet's start.
constexpr std::size_t kMaxSecretLength = 8192;

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::uint32_t code_points(std::string_view bytes) {
  return std::uint32_t(
      std::count_if(bytes.begin(), bytes.end(), [](char c) { return !is_continuation_byte(c); }));
}

/// Walks a buffer forward, turning byte offsets into line/column positions.
/// Offsets must be asked for in non-decreasing order.
class PositionTracker {
 public:
  explicit PositionTracker(std::string_view content) : content_(content) {}

  Position at(std::size_t offset) {
    while (true) {
      const void* newline = std::memchr(content_.data() + scanned_, '\n', offset - scanned_);
      if (newline == nullptr) break;
      scanned_ = std::size_t(static_cast<const char*>(newline) - content_.data()) + 1;
      line_start_ = scanned_;
      column_ = 0;
      ++line_;
    }
    // Columns count on from the previous offset: many matches on one long
    // line must not each count from the line's start.
    std::size_t from = std::max(scanned_, line_start_);
    column_ += code_points(content_.substr(from, offset - from));
    scanned_ = offset;
    return {line_, column_ + 1};
  }

  std::size_t line_start() const { return line_start_; }

 private:
  std::string_view content_;
  std::size_t scanned_ = 0;
  std::size_t line_start_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 0;  // code points from line_start_ to scanned_
};

Snippet make_snippet(std::string_view content, std::size_t line_start, const RawMatch& match,
                     const std::vector<RawMatch>& all) {
  // The snippet never reaches further than kSnippetContext past the secret,
  // so neither does the search for the line's end.
  std::size_t reach = std::min(content.size(), match.secret_end + kSnippetContext + 1);
  std::size_t line_end = content.substr(0, reach).find('\n', match.secret_start);
  if (line_end == std::string_view::npos) line_end = reach;
  if (line_end > line_start && content[line_end - 1] == '\r') --line_end;
  line_end = std::max(line_end, match.secret_end);

  Snippet snippet;
  std::size_t begin = line_start;
  if (match.secret_start - line_start > kSnippetContext) {
    begin = match.secret_start - kSnippetContext;
    while (begin < match.secret_start && is_continuation_byte(content[begin])) ++begin;
    snippet.truncated_before = true;
  }
  std::size_t end = line_end;
  if (line_end - match.secret_end > kSnippetContext) {
    end = match.secret_end + kSnippetContext;
    while (end > match.secret_end && is_continuation_byte(content[end])) --end;
    snippet.truncated_after = true;
  }
  snippet.text = std::string(content.substr(begin, end - begin));
  // `all` is sorted by secret start: only the matches near this one can touch the snippet.
  auto first = std::lower_bound(
      all.begin(), all.end(), begin > kMaxSecretLength ? begin - kMaxSecretLength : 0,
      [](const RawMatch& m, std::size_t at) { return m.secret_start < at; });
  for (auto it = first; it != all.end() && it->secret_start < end; ++it) {
    const RawMatch& other = *it;
    if (other.secret_end <= begin) continue;
    std::size_t from = std::max(other.secret_start, begin);
    std::size_t to = std::min(other.secret_end, end);
    snippet.secret_spans.emplace_back(from - begin, to - from);
    // The same value again on this line, where no rule's context matched it
    // (`key = "…", secret = "…"`), is just as secret.
    std::string_view value =
        content.substr(other.secret_start, other.secret_end - other.secret_start);
    for (std::size_t at = snippet.text.find(value); !value.empty() && at != std::string::npos;
         at = snippet.text.find(value, at + value.size())) {
      if (at != from - begin) snippet.secret_spans.emplace_back(at, value.size());
    }
  }
  return snippet;
}

std::string nearest_site(const std::vector<std::pair<std::size_t, std::string>>& sites,
                         std::size_t offset) {
  const std::string* nearest = nullptr;
  std::size_t best = SIZE_MAX;
  for (const auto& [at, site] : sites) {
    std::size_t distance = at > offset ? at - offset : offset - at;
    if (distance < best) {
      best = distance;
      nearest = &site;
    }
  }
  return nearest ? *nearest : std::string();
}

}  // namespace

void build_findings(std::string_view content, const std::string& path, const Ruleset& ruleset,
                    std::vector<RawMatch>& matches, std::vector<Finding>& out,
                    ScanStats* set_aside) {
  // On one span, a reported match goes before a set-aside one (a path's
  // allowlist may set aside one rule's match of a blob and not another's).
  std::sort(matches.begin(), matches.end(), [](const RawMatch& a, const RawMatch& b) {
    if (a.secret_start != b.secret_start) return a.secret_start < b.secret_start;
    if (a.secret_end != b.secret_end) return a.secret_end < b.secret_end;
    bool a_set_aside = a.suppressed_by != Suppression::none;
    bool b_set_aside = b.suppressed_by != Suppression::none;
    if (a_set_aside != b_set_aside) return b_set_aside;
    return a.rule < b.rule;
  });
  matches.erase(std::unique(matches.begin(), matches.end(),
                            [](const RawMatch& a, const RawMatch& b) {
                              return a.secret_start == b.secret_start &&
                                     a.secret_end == b.secret_end;
                            }),
                matches.end());
  auto is_set_aside = [](const RawMatch& match) {
    return match.suppressed_by != Suppression::none;
  };
  if (std::any_of(matches.begin(), matches.end(), is_set_aside)) {
    // A span a reported match holds is reported: a set-aside match of another
    // rule overlapping it makes no finding (it would count that span twice).
    std::vector<RawMatch> reported;
    std::remove_copy_if(matches.begin(), matches.end(), std::back_inserter(reported), is_set_aside);
    const SecretSpanIndex spans(reported.begin(), reported.end());
    std::erase_if(matches, [&](const RawMatch& match) {
      return is_set_aside(match) && spans.overlaps(match);
    });
  }

  PositionTracker tracker(content);
  // The Datadog site a key is for is often named next to it (DD_SITE, a URL).
  const auto sites = site_mentions(content);
  for (const RawMatch& match : matches) {
    if (set_aside != nullptr && match.suppressed_by != Suppression::none) {
      // Counted, never built: a file of a million allowlisted keys costs no memory.
      set_aside->count_set_aside(match.suppressed_by);
      continue;
    }
    Finding finding;
    finding.rule_index = match.rule;
    finding.rule = &ruleset.rules[match.rule];
    finding.key_type = finding.rule->key_type;
    finding.key_kind = finding.rule->key_kind;
    finding.path = path;
    finding.site_hint = nearest_site(sites, match.secret_start);
    finding.start = tracker.at(match.secret_start);
    std::size_t line_start = tracker.line_start();
    std::string_view text =
        content.substr(match.secret_start, match.secret_end - match.secret_start);
    finding.encoding = match.encoding;
    finding.secret = match.encoding == Encoding::base64
                         ? decode_base64(text).value_or(std::string(text))
                         : std::string(text);
    finding.secret_sha256 = sha256_hex(finding.secret);
    finding.checksum = access_token_checksum(finding.secret);
    finding.suppressed_by = match.suppressed_by;
    // A set-aside finding is counted, never shown: it needs no snippet. Its
    // span is redacted in the snippets of the others on its line.
    if (match.suppressed_by == Suppression::none)
      finding.snippet = make_snippet(content, line_start, match, matches);
    // The end of a secret on one line (the common case) needs no second walk.
    if (text.find('\n') == std::string_view::npos) {
      finding.end = {finding.start.line, finding.start.column + code_points(text)};
    } else {
      PositionTracker end_tracker(content);
      finding.end = end_tracker.at(match.secret_end);
    }
    out.push_back(std::move(finding));
  }
}

void build_lint_findings(std::string_view content, const std::string& path, const Ruleset& ruleset,
                         const std::vector<RawMatch>& hits, const std::vector<bool>& sensitive,
                         const std::vector<RawMatch>& secret_matches, std::vector<Finding>& out) {
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const RawMatch& hit = hits[i];
    PositionTracker tracker(content);
    Finding finding;
    finding.rule_index = hit.rule;
    finding.rule = &ruleset.rules[hit.rule];
    finding.kind = FindingKind::check;
    finding.path = path;
    finding.start = tracker.at(hit.secret_start);
    finding.secret =
        std::string(content.substr(hit.secret_start, hit.secret_end - hit.secret_start));
    finding.secret_sha256 = sha256_hex(finding.secret);
    finding.redact = sensitive[i];
    std::vector<RawMatch> spans = secret_matches;
    if (sensitive[i]) spans.push_back(hit);
    std::sort(spans.begin(), spans.end(),
              [](const RawMatch& a, const RawMatch& b) { return a.secret_start < b.secret_start; });
    finding.snippet = make_snippet(content, tracker.line_start(), hit, spans);
    finding.end = {finding.start.line, finding.start.column + code_points(finding.secret)};
    out.push_back(std::move(finding));
  }
}

void redact_recurring_secrets(std::vector<Finding>& findings) {
  // Shorter values would mark ordinary words; no rule's secret is that short.
  constexpr std::size_t kShortest = 8;
  // A value cut at a snippet's edge still leaks this much of itself.
  constexpr std::size_t kEdge = 8;
  std::vector<std::string> values;
  for (const Finding& finding : findings) {
    if (!finding.redact || finding.secret.size() < kShortest) continue;
    values.push_back(finding.secret);
    std::string encoded = base64(finding.secret);
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    values.push_back(std::move(encoded));
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (values.empty() || values.size() > 2 * kMaxRecurringSecrets) return;
  for (Finding& finding : findings) {
    Snippet& snippet = finding.snippet;
    const std::string& text = snippet.text;
    for (const std::string& value : values) {
      for (std::size_t at = text.find(value); at != std::string::npos;
           at = text.find(value, at + 1)) {
        snippet.secret_spans.emplace_back(at, value.size());
      }
      // Cut short where the snippet was cut: the line goes on with the rest.
      for (std::size_t keep = value.size() - 1; keep >= kEdge; --keep) {
        if (snippet.truncated_before && text.size() >= keep &&
            text.compare(0, keep, value, value.size() - keep, keep) == 0) {
          snippet.secret_spans.emplace_back(0, keep);
          break;
        }
      }
      for (std::size_t keep = value.size() - 1; keep >= kEdge; --keep) {
        if (snippet.truncated_after && text.size() >= keep &&
            text.compare(text.size() - keep, keep, value, 0, keep) == 0) {
          snippet.secret_spans.emplace_back(text.size() - keep, keep);
          break;
        }
      }
    }
  }
}

void sort_findings(std::vector<Finding>& findings) {
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.path != b.path) return a.path < b.path;
    if (a.start.line != b.start.line) return a.start.line < b.start.line;
    if (a.start.column != b.start.column) return a.start.column < b.start.column;
    if (a.rule_index != b.rule_index) return a.rule_index < b.rule_index;
    return a.git && b.git && a.git->commit < b.git->commit;
  });
}

}  // namespace keysweep
