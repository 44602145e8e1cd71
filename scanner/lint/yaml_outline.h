#pragma once
// An outline of YAML text by indentation: each line's key, its value as YAML
// reads it, and the line it nests under. It answers what the repository checks
// ask ("which container does this env entry belong to, and what is its
// image?") without a YAML parser, which Helm templates would defeat anyway:
// their `{{ ... }}` lines are not YAML until rendered, so the outline skips
// them and reads the YAML around them. Flow collections (`{a: b}`, `[x]`)
// stay opaque values.

#include <cstddef>
#include <string_view>
#include <vector>

namespace keysweep {

/// A scalar as YAML reads it: quotes removed, a trailing `# comment` dropped,
/// `~` and `null` empty. For a block scalar (`|`, `>`) the value is its first
/// line of content.
struct YamlScalar {
  std::size_t offset = 0;  // in the whole text
  std::size_t length = 0;
  bool empty = true;  // also true for "", '', ~ and null
};

struct YamlLine {
  std::size_t offset = 0;       // of the line in the text
  std::size_t indent = 0;       // column of its first character ('-' for an item)
  std::size_t content_end = 0;  // in the line, before a comment
  bool item = false;            // starts a sequence item (`- ...`)
  bool block_text = false;      // inside a block scalar: text, not structure
  std::string_view key;         // the mapping key on the line, if any
  YamlScalar value;             // after `key:`, or an item's scalar
  std::size_t parent = kNone;   // the line this one nests under
  std::size_t end = 0;          // one past the last line nested under this one

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
};

/// The lines of `text` that carry YAML or block-scalar text, in order: blank
/// lines, comment lines and Helm template lines are left out. A `---`
/// document separator ends every open mapping.
std::vector<YamlLine> outline_yaml(std::string_view text);

/// The scalar that starts at `start` of `line` (which sits at `line_offset`
/// in the whole text). A block indicator gives an empty scalar here: the
/// outline fills it from the lines that follow.
YamlScalar yaml_scalar(std::string_view line, std::size_t start, std::size_t line_offset);

}  // namespace keysweep
