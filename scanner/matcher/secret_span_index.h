#pragma once
// The secret spans of some matches, sorted once: whether any of them overlaps
// a match's secret span, in O(log n), so that settling thousands of matches in
// one buffer never compares each with each.

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

#include "matcher/matcher.h"

namespace keysweep {

class SecretSpanIndex {
 public:
  template <typename Iterator>
  SecretSpanIndex(Iterator begin, Iterator end) {
    for (auto it = begin; it != end; ++it) spans_.push_back({it->secret_start, it->secret_end});
    std::sort(spans_.begin(), spans_.end(),
              [](const Span& a, const Span& b) { return a.start < b.start; });
    // From here on a span's `end` is the furthest end of the spans up to it.
    for (std::size_t i = 1; i < spans_.size(); ++i)
      spans_[i].end = std::max(spans_[i].end, spans_[i - 1].end);
  }

  /// Whether a span starts before `match`'s secret ends and ends after it starts.
  bool overlaps(const RawMatch& match) const {
    auto after =
        std::lower_bound(spans_.begin(), spans_.end(), match.secret_end,
                         [](const Span& span, std::size_t offset) { return span.start < offset; });
    return after != spans_.begin() && std::prev(after)->end > match.secret_start;
  }

 private:
  struct Span {
    std::size_t start, end;
  };
  std::vector<Span> spans_;
};

}  // namespace keysweep
