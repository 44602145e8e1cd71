#pragma once
// What every scan worker does with a buffer, whatever it came from (a file,
// stdin, a git blob): match it and turn the matches into findings. One per
// thread; owns its Hyperscan scratch.

#include <string>
#include <string_view>
#include <vector>

#include "findings/finding.h"
#include "matcher/matcher.h"

namespace keysweep {

class Diagnostics;

class ContentScanner {
 public:
  ContentScanner(const Matcher& matcher, Diagnostics& diagnostics)
      : matcher_(matcher), diagnostics_(diagnostics), scratch_(matcher.make_scratch()) {}

  /// Appends the findings in `bytes`, reported under `path`; returns how many.
  /// With `path_known` false, path filters are deferred (see Matcher::find).
  std::size_t scan(std::string_view bytes, const std::string& path, std::vector<Finding>& out,
                   bool path_known = true);

 private:
  const Matcher& matcher_;
  Diagnostics& diagnostics_;
  Matcher::ScratchPtr scratch_;
  std::vector<RawMatch> matches_;
};

}  // namespace keysweep
