#pragma once
// Serialized Hyperscan databases in the user's cache directory, so a second run
// (a pre-commit hook, say) does not recompile. The file name is a SHA-256 of
// the anchors and the Hyperscan version: a changed rule is a new file.

#include <string>
#include <vector>

#include "matcher/matcher.h"

namespace keysweep {

/// $KEYSWEEP_CACHE_DIR, else $XDG_CACHE_HOME/keysweep, else $HOME/.cache/keysweep, else "".
std::string default_cache_dir();

/// The cache key of a set of anchors under this Hyperscan build.
std::string database_cache_key(const std::vector<Anchor>& anchors);

/// The serialized bytes stored under key, or empty when there are none.
std::string read_cached_database(const std::string& cache_dir, const std::string& key);

/// Stores bytes atomically (temporary file + rename). Returns an error text, or "" on success.
std::string write_cached_database(const std::string& cache_dir, const std::string& key,
                                  const std::string& bytes);

}  // namespace keysweep
