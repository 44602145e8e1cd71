#pragma once
// Judging a token candidate (a 32-hex run, say) by its context, in a bounded
// window, without a regex: is this value a Datadog API key?
//
// The value's *name chain* decides: its own name (the key, variable,
// attribute, header or argument it is assigned to), the label of a generic
// `value` (`- name: DD_API_KEY` / `value: …`, `<add key="DD_API_KEY" value="…"/>`),
// then the names of the structures around it (the key of the enclosing
// `{`/`[`/`(`, the YAML keys above it), nearest first. Walking the chain
// outwards, the first decisive name wins:
//   - a rule's own name ("api key auth", "additional endpoints"), or a kind
//     name with a context marker ("dd" + "api key") → the rule's key, however
//     far a mention of Datadog is;
//   - a name of another rule of the context (an app key name over a 32-hex
//     value), another vendor's word (algolia), or a non-secret word (sha256,
//     etag) → not this rule's key, however near a mention of Datadog is;
//   - an unknown own name → not a key (a value assigned to `commit`, `url`).
// Generic names (`api_key`, `key`, `value`) and unknown enclosing names pass
// the decision outwards; a chain that ends with a generic or kind name
// accepts only with a mention of the vendor within the context's window.
//
// Cost: the own name is read within 256 bytes before the token, sibling labels
// within 320, enclosing brackets within 256; YAML parent lines are found by
// indentation within 2 KiB and memoized per buffer (a parent found once is a
// jump for every later line); mentions come from the Hyperscan pass (a binary
// search). So the work per candidate is bounded whatever the input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/rule.h"

namespace keysweep {

/// One name of the chain, split into words (see split_name_words).
struct ChainName {
  std::vector<std::string> words;
  bool own = false;  // the value's own name (or its label)
  bool url = false;  // a URL or path: its words are places, not a vendor's names
};

/// What name chains of one buffer remember for the next ones: the YAML
/// parent line of each line looked at (line start -> parent line start, or
/// npos), and the last position from which no enclosing bracket was found.
/// Reset it for each new buffer.
struct ChainMemo {
  std::unordered_map<std::size_t, std::size_t> yaml_parents;
  std::size_t no_opener_at = SIZE_MAX;
  // The line of the last value: where it starts (SIZE_MAX: further back than
  // the YAML reach), and the position it was looked up from.
  std::size_t line_from = SIZE_MAX;
  std::size_t line_start = SIZE_MAX;
  void reset() {
    yaml_parents.clear();
    no_opener_at = line_from = line_start = SIZE_MAX;
  }
};

/// The name chain of the value that starts at `value_start` (after any
/// quote), nearest first. `bytes_examined` is increased by the bytes read.
std::vector<ChainName> name_chain(std::string_view content, std::size_t value_start,
                                  const Context& context, ChainMemo& memo,
                                  std::size_t& bytes_examined);

enum class TokenVerdict {
  named,      // a decisive name says it is this rule's key
  mentioned,  // generic names, and a mention of the vendor nearby
  rejected,
};

/// The verdict for `rule` on a chain. `mention_near` says whether a mention
/// of the context's vendor is within its window. `others` are the other
/// token rules of the same context.
TokenVerdict judge_chain(const std::vector<ChainName>& chain, const Rule& rule,
                         const std::vector<const Rule*>& others, bool mention_near);

/// True when the name's words contain the pattern's words contiguously.
bool words_contain(const std::vector<std::string>& words, const std::vector<std::string>& pattern);

}  // namespace keysweep
