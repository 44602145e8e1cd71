#include "util/diagnostics.h"

#include <cstdio>

namespace keysweep {

void Diagnostics::warn(std::string message) {
  std::lock_guard lock(mutex_);
  if (!quiet_) std::fprintf(stderr, "keysweep: warning: %s\n", message.c_str());
  warnings_.push_back(std::move(message));
}

std::vector<std::string> Diagnostics::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

}  // namespace keysweep
