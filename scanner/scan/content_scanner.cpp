#include "scan/content_scanner.h"

#include "util/diagnostics.h"

namespace keysweep {

std::size_t ContentScanner::scan(std::string_view bytes, const std::string& path,
                                 std::vector<Finding>& out) {
  matches_.clear();
  if (!matcher_.find(bytes, path, *scratch_, matches_)) {
    diagnostics_.warn(path + ": too many candidate matches; the rest of this input was not scanned");
  }
  std::size_t before = out.size();
  if (!matches_.empty()) build_findings(bytes, path, matcher_.ruleset(), matches_, out);
  return out.size() - before;
}

}  // namespace keysweep
