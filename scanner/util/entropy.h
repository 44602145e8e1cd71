#pragma once

#include <string_view>

namespace keysweep {

/// Shannon entropy in bits per byte: 0 for "aaaa", 4 for 32 evenly spread hex digits.
double shannon_entropy(std::string_view data);

}  // namespace keysweep
