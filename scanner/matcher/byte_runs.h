#pragma once
// Long runs of bytes from a few small classes (the hex digits of a key, the
// base64 alphabet of an encoded one), found 16 bytes at a time.
//
// A run of at least 31 bytes always covers a whole 16-byte block at an offset
// that is a multiple of 16. So the scan tests each such block once against
// the union of the classes (a few SIMD compares, two blocks per AVX2 step
// when the CPU has it; a table lookup per byte without SSE2) and looks closer
// only at blocks made entirely of it: in text and code that is rare. Hyperscan's class repeats
// (`[0-9a-f]{32}`) cost several times more per byte.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace keysweep {

class ByteRunFinder {
 public:
  /// The shortest run the block test cannot miss.
  static constexpr std::size_t kShortestRun = 31;
  /// The union of the classes has at most this many byte ranges (`0-9`, `a-f`, ...).
  static constexpr std::size_t kMaxRanges = 4;

  struct Run {
    std::uint32_t run_class;  // index in the order add() accepted the classes
    std::size_t start, end;
  };

  /// Adds the class of `member` bytes, whose runs count from `shortest`
  /// bytes. Returns false, adding nothing, when `shortest` < kShortestRun or
  /// the union of the classes would exceed kMaxRanges ranges.
  bool add(const std::array<bool, 256>& member, std::size_t shortest);
  std::size_t size() const { return classes_.size(); }

  /// Appends every maximal run of each class at least its shortest long;
  /// one class's runs come in order.
  void find(std::string_view text, std::vector<Run>& runs) const;

 private:
  struct Class {
    std::array<bool, 256> member;
    std::size_t shortest;
  };
  std::vector<Class> classes_;
  std::array<bool, 256> union_{};
  std::vector<std::pair<unsigned char, unsigned char>> union_ranges_;  // inclusive
};

}  // namespace keysweep
