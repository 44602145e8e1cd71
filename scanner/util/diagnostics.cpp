#include "util/diagnostics.h"

#include <cstdio>

#include "util/escape.h"

namespace keysweep {

void Diagnostics::warn(std::string message) {
  std::lock_guard lock(mutex_);
  // Messages name scanned paths, which may hold newlines or escape sequences.
  if (!quiet_) std::fprintf(stderr, "keysweep: warning: %s\n", terminal_safe(message).c_str());
  warnings_.push_back(std::move(message));
}

std::vector<std::string> Diagnostics::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

}  // namespace keysweep
