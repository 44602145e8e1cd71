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

/// The cache key of a ruleset's anchors, and of every rule regex and secret
/// group (a hit vouches that they were validated), under this Hyperscan build.
std::string database_cache_key(const std::vector<Anchor>& anchors, const Ruleset& ruleset);

/// The cache key of one rule regex's screening database (Matcher's screens),
/// under this Hyperscan build: "screen-" and a SHA-256.
std::string screen_cache_key(const std::string& regex);

/// A cache entry: the anchors' windows and whether each is keyword-triggered,
/// then the serialized databases (the main one, then one per triggered anchor).
std::string encode_cache_entry(const std::vector<Anchor>& anchors,
                               const std::vector<std::string_view>& databases);

/// Sets the anchors' windows from an entry and points `databases` into it.
/// False when the entry is not one (truncated, another version, other anchors).
bool decode_cache_entry(const std::string& entry, std::vector<Anchor>& anchors,
                        std::vector<std::string_view>& databases);

/// The serialized bytes stored under key, or empty when there are none (or
/// the entry is not a regular file of at most kReportFileLimit bytes, or
/// does not start with its key: an entry names the key it was written for).
std::string read_cached_database(const std::string& cache_dir, const std::string& key);

/// Stores bytes atomically (temporary file + rename). Returns an error text, or "" on success.
std::string write_cached_database(const std::string& cache_dir, const std::string& key,
                                  const std::string& bytes);

}  // namespace keysweep
