#pragma once
// What every scan worker does with a buffer, whatever it came from (a file,
// stdin, a git blob): match it and turn the matches into findings. One per
// thread; owns its Hyperscan scratch.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "findings/finding.h"
#include "matcher/matcher.h"
#include "util/paths.h"

namespace keysweep {

class Diagnostics;

class ContentScanner {
 public:
  /// `rule_paths` turns a finding's path into the path that rules' path
  /// filters and allowlists see: relative to the directory of .keysweep.toml,
  /// so its globs are anchored there whatever directory was scanned.
  ContentScanner(const Matcher& matcher, Diagnostics& diagnostics, PathRebase rule_paths = {});

  /// Appends the findings in `bytes`, reported under `path`; returns how many.
  /// With `path_known` false, path filters are deferred (see Matcher::find).
  /// `lint` runs the repository checks, which judge by `path`: a range scan
  /// runs them at the path that introduced the blob (and again at each place,
  /// since they count as path-dependent); a history scan does not.
  std::size_t scan(std::string_view bytes, const std::string& path, std::vector<Finding>& out,
                   bool path_known = true, bool lint = true);

 private:
  /// Runs the repository checks on one file; `first` is where its secret findings start in `out`.
  void run_lint(std::string_view bytes, const std::string& path, std::string_view rule_path,
                std::size_t first, std::vector<Finding>& out);

  const Matcher& matcher_;
  Diagnostics& diagnostics_;
  PathRebase rule_paths_;
  Matcher::ScratchPtr scratch_;
  std::vector<RawMatch> matches_;
  std::unordered_map<std::string, std::uint32_t> lint_rules_;  // repository check id -> rule index
};

}  // namespace keysweep
