#pragma once
// `rules check`: every rule's examples must match (extracting the stated
// secret, when one is stated) and its negative examples must not. Runs through
// the real engine, Hyperscan anchors and all, so a keyword that cannot anchor
// an example fails here and not in production.

#include <string>
#include <vector>

#include "matcher/matcher.h"

namespace keysweep {

struct RuleCheckProblem {
  std::string rule_id;
  std::string source;
  std::string message;
};

std::vector<RuleCheckProblem> check_rule_examples(const Matcher& matcher);

}  // namespace keysweep
