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
  auto inside = [&](std::string_view part) {
    return part.data() >= input.data() && part.data() + part.size() <= input.data() + input.size();
  };
  for_each_named_tree_entry(
      input, [&](std::string_view mode, std::string_view name, const git_oid& id) {
        // The mode and the name lie within the input, never past its end.
        if (!inside(mode) || !inside(name) || name.find('\0') != std::string_view::npos)
          std::abort();
        ids.push_back(id);
      });
  const ObjectTable present(ids);
  ObjectCensus census(present);
  census.add_tree(input);
  census.add_commit(input);
  TreeSketch sketch(1);  // spills: the temporary file is read back too
  git_oid tree{};
  sketch.add(tree, input);
  for (const git_oid& id : ids) sketch.add(id, input);
  sketch.trees_leading_to(ids);
}

KEYSWEEP_FUZZ_ENTRY(raw_tree)
