#include "util/entropy.h"

#include <array>
#include <cmath>

namespace keysweep {

double shannon_entropy(std::string_view data) {
  if (data.empty()) return 0.0;
  std::array<std::size_t, 256> counts{};
  // The distinct bytes, in order of first sight: keys have a few dozen, so
  // the sum runs over those and not over all 256 counters.
  std::array<unsigned char, 256> seen;
  std::size_t distinct = 0;
  for (unsigned char byte : data) {
    if (counts[byte]++ == 0) seen[distinct++] = byte;
  }
  double entropy = 0.0;
  const double length = double(data.size());
  for (std::size_t i = 0; i < distinct; ++i) {
    double p = double(counts[seen[i]]) / length;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

}  // namespace keysweep
