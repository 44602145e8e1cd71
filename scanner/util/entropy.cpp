#include "util/entropy.h"

#include <array>
#include <cmath>

namespace keysweep {

double shannon_entropy(std::string_view data) {
  if (data.empty()) return 0.0;
  std::array<std::size_t, 256> counts{};
  for (unsigned char byte : data) ++counts[byte];
  double entropy = 0.0;
  const double length = double(data.size());
  for (std::size_t count : counts) {
    if (count == 0) continue;
    double p = double(count) / length;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

}  // namespace keysweep
