// Raw git tree and commit objects as a history pass reads them from the object
// database: the census of referenced objects and the tree sketch used for
// provenance. A damaged pack can hand over any bytes.

#include <cstdlib>
#include <vector>

#include "fuzz_targets.h"
#include "git/git_blobs.h"
#include "git/raw_tree.h"
#include "git/tree_sketch.h"

void keysweep::fuzz::raw_tree(std::string_view input) {
  std::vector<git_oid> ids;
  for_each_tree_entry(input, [&](std::string_view mode, const git_oid& id) {
    // The mode is a prefix of what is left of the input, never past its end.
    if (mode.data() < input.data() || mode.data() + mode.size() > input.data() + input.size())
      std::abort();
    ids.push_back(id);
  });
  ObjectCensus census;
  census.add_tree(input);
  census.add_commit(input);
  TreeSketch sketch;
  git_oid tree{};
  sketch.add(tree, input);
  for (const git_oid& id : ids) sketch.add(id, input);
  sketch.trees_leading_to(ids);
}

KEYSWEEP_FUZZ_ENTRY(raw_tree)
