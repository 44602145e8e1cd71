#include "findings/liveness.h"

namespace keysweep {

const char* liveness_name(Liveness liveness) {
  switch (liveness) {
    case Liveness::live:
      return "live";
    case Liveness::revoked:
      return "revoked";
    case Liveness::expired:
      return "expired";
    case Liveness::invalid:
      return "invalid";
    case Liveness::unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace keysweep
