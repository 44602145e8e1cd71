#include "lint/yaml_outline.h"

namespace keysweep {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

/// A scalar and where its text (closing quote included) ends in the line.
struct ParsedScalar {
  YamlScalar scalar;
  std::size_t end = 0;
  bool block = false;   // `|` or `>`: the value is on the lines that follow
  bool absent = false;  // nothing but blanks or a comment
};

ParsedScalar parse_scalar(std::string_view line, std::size_t start, std::size_t line_offset) {
  ParsedScalar parsed;
  while (start < line.size() && is_blank(line[start])) ++start;
  parsed.scalar.offset = line_offset + start;
  parsed.end = start;
  if (start == line.size() || line[start] == '#') {
    parsed.absent = true;
    return parsed;
  }
  char first = line[start];
  if (first == '|' || first == '>') {
    parsed.block = true;
    parsed.end = start + 1;
    return parsed;
  }
  if (first == '"' || first == '\'') {
    std::size_t close = start + 1;
    for (; close < line.size(); ++close) {
      // A Helm expression's own quotes ("{{ include "agent.image" . }}") do
      // not end the scalar it renders into.
      if (line.substr(close).starts_with("{{")) {
        std::size_t expression_end = line.find("}}", close);
        if (expression_end != std::string_view::npos) {
          close = expression_end + 1;
          continue;
        }
      }
      if (first == '"' && line[close] == '\\') {
        ++close;
      } else if (line[close] == first) {
        // '' is an escaped quote inside a single-quoted scalar.
        if (first == '\'' && close + 1 < line.size() && line[close + 1] == '\'') {
          ++close;
        } else {
          break;
        }
      }
    }
    std::size_t inner_end = close < line.size() ? close : line.size();
    parsed.scalar.offset = line_offset + start + 1;
    parsed.scalar.length = inner_end - start - 1;
    parsed.scalar.empty = parsed.scalar.length == 0;
    parsed.end = close < line.size() ? close + 1 : line.size();
    return parsed;
  }
  // A plain scalar ends where a comment starts: '#' after a blank.
  std::size_t end = start;
  while (end < line.size() && !(line[end] == '#' && is_blank(line[end - 1]))) ++end;
  while (end > start && is_blank(line[end - 1])) --end;
  std::string_view text = line.substr(start, end - start);
  parsed.scalar.length = text.size();
  parsed.scalar.empty = text == "~" || text == "null" || text == "Null" || text == "NULL";
  parsed.end = end;
  return parsed;
}

/// The key of `key: value` starting at `at`, and where its value starts;
/// an empty key when the text is a plain scalar (`- DD_ENV=prod`).
std::pair<std::string_view, std::size_t> parse_key(std::string_view line, std::size_t at) {
  if (at >= line.size()) return {{}, at};
  char first = line[at];
  if (first == '"' || first == '\'') {
    std::size_t close = line.find(first, at + 1);
    if (close == std::string_view::npos) return {{}, at};
    std::size_t colon = close + 1;
    while (colon < line.size() && is_blank(line[colon])) ++colon;
    if (colon < line.size() && line[colon] == ':' &&
        (colon + 1 == line.size() || is_blank(line[colon + 1]))) {
      return {line.substr(at + 1, close - at - 1), colon + 1};
    }
    return {{}, at};
  }
  // Flow collections, aliases, tags and templates are values, not keys.
  if (first == '{' || first == '[' || first == '&' || first == '*' || first == '!' ||
      first == '|' || first == '>') {
    return {{}, at};
  }
  for (std::size_t colon = at; colon < line.size(); ++colon) {
    if (line[colon] == '#' && colon > at && is_blank(line[colon - 1])) break;
    if (line[colon] == ':' && (colon + 1 == line.size() || is_blank(line[colon + 1]))) {
      std::size_t end = colon;
      while (end > at && is_blank(line[end - 1])) --end;
      return {line.substr(at, end - at), colon + 1};
    }
  }
  return {{}, at};
}

/// An open line on the stack of mappings and sequences the next line may nest under.
struct OpenLine {
  std::size_t index;
  std::size_t indent;
  // A key with no value on its line takes a sequence at its own column
  // (`containers:` then `- name: agent` under it, as kubectl writes them).
  std::size_t compact_column;
};

}  // namespace

YamlScalar yaml_scalar(std::string_view line, std::size_t start, std::size_t line_offset) {
  return parse_scalar(line, start, line_offset).scalar;
}

std::vector<YamlLine> outline_yaml(std::string_view text) {
  std::vector<YamlLine> lines;
  std::vector<OpenLine> open;
  constexpr std::size_t kNone = YamlLine::kNone;
  std::size_t block_owner = kNone;  // the line whose block scalar we are in
  std::size_t block_column = 0;     // its text is indented beyond this column
  bool in_template = false;         // inside a `{{` that a later line closes

  auto close_open_lines = [&](auto keep) {
    while (!open.empty() && !keep(open.back())) {
      lines[open.back().index].end = lines.size();
      open.pop_back();
    }
  };

  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t newline = text.find('\n', at);
    std::size_t line_end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view line = text.substr(at, line_end - at);
    std::size_t offset = at;
    at = line_end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos ||
        line.substr(indent).find_first_not_of(" \t") == std::string_view::npos) {
      continue;
    }
    std::string_view rest = line.substr(indent);

    if (in_template) {
      in_template = rest.find("}}") == std::string_view::npos;
      continue;
    }
    if (block_owner != kNone) {
      if (indent > block_column) {
        YamlLine block_line;
        block_line.offset = offset;
        block_line.indent = indent;
        block_line.content_end = line.size();
        block_line.block_text = true;
        block_line.parent = block_owner;
        YamlScalar& owner_value = lines[block_owner].value;
        if (owner_value.length == 0) {
          std::size_t end = line.size();
          while (end > indent && is_blank(line[end - 1])) --end;
          owner_value = {offset + indent, end - indent, false};
        }
        lines.push_back(block_line);
        continue;
      }
      block_owner = kNone;
    }
    if (rest.starts_with('#')) continue;
    if (rest.starts_with("{{")) {
      // Helm's control lines (`{{- if ... }}`, `{{ include ... | nindent 4 }}`)
      // are not YAML; a `{{/* comment */}}` may span lines.
      in_template = rest.find("}}") == std::string_view::npos;
      continue;
    }
    if (indent == 0 && (rest == "---" || rest.starts_with("--- ") || rest == "...")) {
      close_open_lines([](const OpenLine&) { return false; });
      continue;
    }

    YamlLine current;
    current.offset = offset;
    current.indent = indent;
    std::size_t column = indent;
    while (column < line.size() && line[column] == '-' &&
           (column + 1 == line.size() || is_blank(line[column + 1]))) {
      current.item = true;
      ++column;
      while (column < line.size() && is_blank(line[column])) ++column;
    }
    auto [key, value_start] = parse_key(line, column);
    current.key = key;
    ParsedScalar value = parse_scalar(line, value_start, offset);
    current.value = value.scalar;
    current.content_end = value.end;

    close_open_lines([&](const OpenLine& candidate) {
      return indent > candidate.indent || (current.item && indent == candidate.compact_column);
    });
    current.parent = open.empty() ? kNone : open.back().index;
    std::size_t index = lines.size();
    lines.push_back(current);
    bool bare_key = !key.empty() && value.absent;
    open.push_back({index, indent, bare_key ? column : kNone});
    if (value.block) {
      block_owner = index;
      block_column = key.empty() ? indent : column;
    }
  }
  close_open_lines([](const OpenLine&) { return false; });
  return lines;
}

}  // namespace keysweep
