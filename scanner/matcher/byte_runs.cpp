#include "matcher/byte_runs.h"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace keysweep {
namespace {

constexpr std::size_t kBlock = 16;
constexpr unsigned kFullBlock = 0xffff;

std::vector<std::pair<unsigned char, unsigned char>> ranges_of(
    const std::array<bool, 256>& member) {
  std::vector<std::pair<unsigned char, unsigned char>> ranges;
  for (unsigned c = 0; c < 256; ++c) {
    if (!member[c]) continue;
    unsigned last = c;
    while (last + 1 < 256 && member[last + 1]) ++last;
    ranges.emplace_back(static_cast<unsigned char>(c), static_cast<unsigned char>(last));
    c = last;
  }
  return ranges;
}

bool block_of(const std::array<bool, 256>& member, const char* block) {
  for (std::size_t i = 0; i < kBlock; ++i) {
    if (!member[static_cast<unsigned char>(block[i])]) return false;
  }
  return true;
}

/// Calls `full(offset)` for each 16-byte block at a multiple of 16 whose
/// bytes all lie in the N ranges, from `from` on.
template <std::size_t N, typename Full>
void scan_blocks_portable(std::string_view text, std::size_t from,
                          const std::vector<std::pair<unsigned char, unsigned char>>& ranges,
                          Full& full) {
  const char* data = text.data();
  const std::size_t size = text.size();
#if defined(__SSE2__)
  __m128i low[N], span[N];
  for (std::size_t r = 0; r < N; ++r) {
    low[r] = _mm_set1_epi8(static_cast<char>(ranges[r].first));
    span[r] = _mm_set1_epi8(static_cast<char>(ranges[r].second - ranges[r].first));
  }
  for (std::size_t block = from; block + kBlock <= size; block += kBlock) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + block));
    __m128i in = _mm_setzero_si128();
    for (std::size_t r = 0; r < N; ++r) {
      // byte - low, unsigned, is at most high - low exactly for bytes in range.
      const __m128i shifted = _mm_sub_epi8(bytes, low[r]);
      in = _mm_or_si128(in, _mm_cmpeq_epi8(_mm_min_epu8(shifted, span[r]), shifted));
    }
    if (unsigned(_mm_movemask_epi8(in)) == kFullBlock) full(block);
  }
#else
  std::array<bool, 256> member{};
  for (auto [first, last] : ranges) {
    for (unsigned c = first; c <= last; ++c) member[c] = true;
  }
  for (std::size_t block = from; block + kBlock <= size; block += kBlock) {
    if (block_of(member, data + block)) full(block);
  }
#endif
}

#if defined(__x86_64__) && defined(__GNUC__)
#define KEYSWEEP_AVX2_RUNS 1
/// The same test, two blocks per 32-byte AVX2 step (chosen at run time).
template <std::size_t N, typename Full>
__attribute__((target("avx2"))) void scan_blocks_avx2(
    std::string_view text, const std::vector<std::pair<unsigned char, unsigned char>>& ranges,
    Full& full) {
  const char* data = text.data();
  const std::size_t size = text.size();
  __m256i low[N], span[N];
  for (std::size_t r = 0; r < N; ++r) {
    low[r] = _mm256_set1_epi8(static_cast<char>(ranges[r].first));
    span[r] = _mm256_set1_epi8(static_cast<char>(ranges[r].second - ranges[r].first));
  }
  std::size_t block = 0;
  for (; block + 2 * kBlock <= size; block += 2 * kBlock) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + block));
    __m256i in = _mm256_setzero_si256();
    for (std::size_t r = 0; r < N; ++r) {
      const __m256i shifted = _mm256_sub_epi8(bytes, low[r]);
      in = _mm256_or_si256(in, _mm256_cmpeq_epi8(_mm256_min_epu8(shifted, span[r]), shifted));
    }
    const unsigned mask = unsigned(_mm256_movemask_epi8(in));
    if ((mask & kFullBlock) == kFullBlock) full(block);
    if ((mask >> kBlock) == kFullBlock) full(block + kBlock);
  }
  scan_blocks_portable<N>(text, block, ranges, full);
}
#endif

template <std::size_t N, typename Full>
void scan_blocks(std::string_view text,
                 const std::vector<std::pair<unsigned char, unsigned char>>& ranges, Full& full) {
#if defined(KEYSWEEP_AVX2_RUNS)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return scan_blocks_avx2<N>(text, ranges, full);
#endif
  scan_blocks_portable<N>(text, 0, ranges, full);
}

}  // namespace

bool ByteRunFinder::add(const std::array<bool, 256>& member, std::size_t shortest) {
  if (shortest < kShortestRun) return false;
  std::array<bool, 256> wider = union_;
  for (std::size_t c = 0; c < 256; ++c) wider[c] = wider[c] || member[c];
  std::vector<std::pair<unsigned char, unsigned char>> ranges = ranges_of(wider);
  if (ranges.empty() || ranges.size() > kMaxRanges) return false;
  classes_.push_back({member, shortest});
  union_ = wider;
  union_ranges_ = std::move(ranges);
  return true;
}

void ByteRunFinder::find(std::string_view text, std::vector<Run>& runs) const {
  const char* data = text.data();
  const std::size_t size = text.size();
  // Per class: the end of its last run. Runs are maximal, so a later run of
  // the class starts after it, and blocks inside it need no second look.
  std::array<std::size_t, 8> done_small{};
  std::vector<std::size_t> done_large;
  std::size_t* done = done_small.data();
  if (classes_.size() > done_small.size()) {
    done_large.assign(classes_.size(), 0);
    done = done_large.data();
  }
  auto full = [&](std::size_t block) {
    for (std::uint32_t c = 0; c < classes_.size(); ++c) {
      const Class& run_class = classes_[c];
      if (done[c] > block || !block_of(run_class.member, data + block)) continue;
      auto member = [&](std::size_t i) {
        return run_class.member[static_cast<unsigned char>(data[i])];
      };
      std::size_t start = block;
      while (start > 0 && member(start - 1)) --start;
      std::size_t end = block + kBlock;
      while (end < size && member(end)) ++end;
      done[c] = end;
      if (end - start >= run_class.shortest) runs.push_back({c, start, end});
    }
  };
  switch (union_ranges_.size()) {
    case 1:
      scan_blocks<1>(text, union_ranges_, full);
      break;
    case 2:
      scan_blocks<2>(text, union_ranges_, full);
      break;
    case 3:
      scan_blocks<3>(text, union_ranges_, full);
      break;
    case 4:
      scan_blocks<4>(text, union_ranges_, full);
      break;
    default:
      break;  // no class
  }
}

}  // namespace keysweep
