#include "scan/content_scanner.h"

#include "util/diagnostics.h"

namespace keysweep {

std::size_t ContentScanner::scan(std::string_view bytes, const std::string& path,
                                 std::vector<Finding>& out, bool path_known) {
  matches_.clear();
  std::optional<std::string_view> rule_path;
  if (path_known) rule_path = path;
  if (!matcher_.find(bytes, rule_path, *scratch_, matches_)) {
    diagnostics_.warn(path + ": too many candidate matches; the rest of this input was not scanned");
  }
  std::size_t before = out.size();
  if (!matches_.empty()) build_findings(bytes, path, matcher_.ruleset(), matches_, out);
  return out.size() - before;
}

}  // namespace keysweep
