#include "rules/yaml_rules.h"

#include <re2/re2.h>
#include <yaml.h>

#include <cctype>
#include <map>
#include <memory>

#include "util/error.h"

namespace keysweep {
namespace {

/// A YAML document as plain data: libyaml's events, folded into a tree.
struct YamlNode {
  enum class Kind { scalar, sequence, mapping } kind = Kind::scalar;
  std::string text;
  std::vector<YamlNode> items;  // sequence
  // mapping: keys (scalars) and their values, in order. Two vectors, not one
  // of pairs: a pair may not hold the incomplete YamlNode (clang refuses it).
  std::vector<std::string> keys;
  std::vector<YamlNode> values;
  std::size_t line = 0;  // 1-based

  const YamlNode* get(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &values[i];
    }
    return nullptr;
  }
};

class YamlReader {
 public:
  YamlReader(std::string_view text, const std::string& source) : source_(source) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~YamlReader() { yaml_parser_delete(&parser_); }
  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  /// The first document, or a null node kind scalar "" for an empty stream.
  YamlNode document() {
    next();  // stream start
    next();
    if (event_.type == YAML_STREAM_END_EVENT) return {};
    if (event_.type != YAML_DOCUMENT_START_EVENT) fail("expected a YAML document");
    next();
    return node(0);
  }

 private:
  struct Event {
    yaml_event_type_t type = YAML_NO_EVENT;
    std::string value;  // scalar text or alias anchor
    std::size_t line = 0;
  };

  void next() {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser_, &event)) {
      fail(std::string("invalid YAML: ") + (parser_.problem ? parser_.problem : "syntax error"),
           parser_.problem_mark.line + 1);
    }
    event_.type = event.type;
    event_.line = event.start_mark.line + 1;
    event_.value.clear();
    if (event.type == YAML_SCALAR_EVENT) {
      event_.value.assign(reinterpret_cast<const char*>(event.data.scalar.value),
                          event.data.scalar.length);
    }
    yaml_event_delete(&event);
  }

  YamlNode node(int depth) {
    // Rule packs are shallow; a deep document is not one (and must not exhaust the stack).
    if (depth > 64) fail("nested too deeply");
    YamlNode result;
    result.line = event_.line;
    switch (event_.type) {
      case YAML_SCALAR_EVENT:
        result.text = event_.value;
        next();
        return result;
      case YAML_SEQUENCE_START_EVENT:
        result.kind = YamlNode::Kind::sequence;
        next();
        while (event_.type != YAML_SEQUENCE_END_EVENT) result.items.push_back(node(depth + 1));
        next();
        return result;
      case YAML_MAPPING_START_EVENT:
        result.kind = YamlNode::Kind::mapping;
        next();
        while (event_.type != YAML_MAPPING_END_EVENT) {
          if (event_.type != YAML_SCALAR_EVENT) fail("a mapping key must be a plain string");
          std::string key = event_.value;
          next();
          result.keys.push_back(std::move(key));
          result.values.push_back(node(depth + 1));
        }
        next();
        return result;
      case YAML_ALIAS_EVENT:
        fail("YAML aliases are not supported in rule files");
      default:
        fail("unexpected YAML structure");
    }
  }

  [[noreturn]] void fail(const std::string& reason, std::size_t line = 0) const {
    throw UsageError(source_ + ":" + std::to_string(line ? line : event_.line) + ": " + reason);
  }

  const std::string& source_;
  yaml_parser_t parser_;
  Event event_;
};

bool is_flag_letter(char c) {
  return c == 'i' || c == 'm' || c == 's' || c == 'x' || c == 'U' || c == '-';
}

/// Rewrites a repeat {low,high} of the atom at the end of `out` (from
/// `atom_start`) that exceeds RE2's 1000 into chunks of at most 1000.
bool split_repeat(std::string& out, std::size_t atom_start, std::size_t low, std::size_t high,
                  bool unbounded) {
  if (atom_start == std::string::npos) return false;
  std::string atom = out.substr(atom_start);
  out.erase(atom_start);
  constexpr std::size_t kMax = 1000;
  std::size_t optional = unbounded ? 0 : high - low;
  while (low > kMax) {
    out += atom + "{" + std::to_string(kMax) + "}";
    low -= kMax;
  }
  out += atom + "{" + std::to_string(low);
  if (unbounded) {
    out += ",}";
    return true;
  }
  std::size_t first = std::min(optional, kMax - low);
  out += "," + std::to_string(low + first) + "}";
  optional -= first;
  while (optional > 0) {
    std::size_t chunk = std::min(optional, kMax);
    out += atom + "{0," + std::to_string(chunk) + "}";
    optional -= chunk;
  }
  return true;
}

std::string scalar(const YamlNode& node, std::string_view key, const std::string& source) {
  if (node.kind != YamlNode::Kind::scalar) {
    throw UsageError(source + ":" + std::to_string(node.line) + ": '" + std::string(key) +
                     "' must be a string");
  }
  return node.text;
}

std::vector<std::string> scalars(const YamlNode& node, std::string_view key,
                                 const std::string& source) {
  if (node.kind == YamlNode::Kind::scalar && node.text.empty()) return {};  // `key:` with nothing
  if (node.kind != YamlNode::Kind::sequence) {
    throw UsageError(source + ":" + std::to_string(node.line) + ": '" + std::string(key) +
                     "' must be a list");
  }
  std::vector<std::string> values;
  for (const YamlNode& item : node.items) values.push_back(scalar(item, key, source));
  return values;
}

}  // namespace

std::string pattern_to_re2(std::string_view p, std::string& problem) {
  std::string out;
  bool free_spacing = false;
  bool in_class = false;
  std::size_t class_body = 0;  // where the class's first member is, in p
  std::size_t atom_start =
      std::string::npos;  // where the last single-character atom begins, in out
  std::size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      if (!in_class) atom_start = out.size();
      char escaped = p[i + 1];
      if (free_spacing && escaped == ' ') {
        out += "\\x20";  // an escaped space is a space; RE2 does not take "\ "
      } else {
        out += c;
        out += escaped;
      }
      i += 2;
      // \x{...}, \p{...}: copied whole, so the braces are not read as a repeat.
      if ((escaped == 'x' || escaped == 'p' || escaped == 'P') && i < p.size() && p[i] == '{') {
        std::size_t close = p.find('}', i);
        if (close == std::string_view::npos) close = p.size() - 1;
        out.append(p.substr(i, close + 1 - i));
        i = close + 1;
      }
      continue;
    }
    if (in_class) {
      if (c == ']' && i > class_body) {
        in_class = false;
      } else if (c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
        std::size_t close = p.find(":]", i + 2);
        if (close != std::string_view::npos) {
          out.append(p.substr(i, close + 2 - i));
          i = close + 2;
          continue;
        }
      } else if (free_spacing && std::isspace(static_cast<unsigned char>(c))) {
        // Rust's regex (which decides Nosey Parker's and Kingfisher's
        // matches) ignores whitespace in free-spacing mode, in classes too.
        ++i;
        continue;
      }
      out += c;
      ++i;
      continue;
    }
    if (free_spacing && std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (free_spacing && c == '#') {
      while (i < p.size() && p[i] != '\n') ++i;
      continue;
    }
    if (c == '[') {
      in_class = true;
      atom_start = out.size();
      out += c;
      ++i;
      if (i < p.size() && p[i] == '^') out += p[i++];
      class_body = i;  // a ']' here is a member, not the end
      continue;
    }
    if (c == '(' && i + 2 < p.size() && p[i + 1] == '?' && p[i + 2] == '#') {
      std::size_t close = p.find(')', i);  // (?# comment ), in any mode
      i = close == std::string_view::npos ? p.size() : close + 1;
      continue;
    }
    if (c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
      std::size_t j = i + 2;
      while (j < p.size() && is_flag_letter(p[j])) ++j;
      if (j > i + 2 && j < p.size() && (p[j] == ')' || p[j] == ':')) {
        std::string flags;
        bool negated = false;
        for (char flag : p.substr(i + 2, j - i - 2)) {
          if (flag == '-') negated = true;
          if (flag == 'x') {
            free_spacing = !negated;  // scoped (?x:...) is taken as from here on
            continue;
          }
          flags += flag;
        }
        if (flags == "-") flags.clear();
        if (p[j] == ':') {
          out += "(?" + flags + ":";
        } else if (!flags.empty()) {
          out += "(?" + flags + ")";
        }
        atom_start = std::string::npos;
        i = j + 1;
        continue;
      }
      if (i + 3 < p.size() && p[i + 2] == '<' &&
          std::isalpha(static_cast<unsigned char>(p[i + 3]))) {
        out += "(?P<";  // RE2 of Debian 12 knows only the Python spelling
        atom_start = std::string::npos;
        i += 3;
        continue;
      }
    }
    if (c == '{') {
      std::size_t close = p.find('}', i);
      std::string body;
      if (close != std::string_view::npos) {
        for (char each : p.substr(i + 1, close - i - 1)) {
          if (!std::isspace(static_cast<unsigned char>(each))) body += each;
        }
      }
      std::size_t comma = body.find(',');
      bool numeric =
          !body.empty() && body.find_first_not_of("0123456789,") == std::string::npos &&
          comma != 0 &&
          body.find(',', comma == std::string::npos ? 0 : comma + 1) == std::string::npos;
      if (numeric) {
        std::size_t low = std::stoul(body.substr(0, comma));
        bool unbounded = comma != std::string::npos && comma + 1 == body.size();
        std::size_t high = comma == std::string::npos ? low
                           : unbounded                ? low
                                                      : std::stoul(body.substr(comma + 1));
        if (low > 1000 || high > 1000) {
          if (!split_repeat(out, atom_start, low, high, unbounded)) {
            problem = "a repeat count over 1000 on a group (RE2's limit)";
          }
        } else {
          out += "{" + body + "}";
        }
        atom_start = std::string::npos;
        i = close + 1;
        continue;
      }
    }
    if (c == ')' || c == '|' || c == '(' || c == '*' || c == '+' || c == '?' || c == '^' ||
        c == '$') {
      atom_start = std::string::npos;
    } else {
      atom_start = out.size();
    }
    out += c;
    ++i;
  }
  return out;
}

void load_yaml_rules_text(std::string_view text, const std::string& source, Ruleset& ruleset) {
  YamlReader reader(text, source);
  YamlNode document = reader.document();
  const YamlNode* rules = document.get("rules");
  if (document.kind != YamlNode::Kind::mapping || rules == nullptr ||
      rules->kind != YamlNode::Kind::sequence) {
    throw UsageError(source +
                     ": not a rule pack: no 'rules:' list (Nosey Parker / Kingfisher format)");
  }
  std::map<std::string, std::size_t> unhonoured;  // field -> rules that have it
  std::size_t loaded = 0;
  for (const YamlNode& entry : rules->items) {
    std::string at = source + ":" + std::to_string(entry.line);
    if (entry.kind != YamlNode::Kind::mapping) throw UsageError(at + ": a rule must be a mapping");
    Rule rule;
    rule.source = source;
    rule.regex_line = int(entry.line);
    std::string pattern;
    for (std::size_t field = 0; field < entry.keys.size(); ++field) {
      const std::string& key = entry.keys[field];
      const YamlNode& value = entry.values[field];
      if (key == "id") {
        rule.id = scalar(value, key, source);
      } else if (key == "name") {
        rule.name = scalar(value, key, source);
      } else if (key == "pattern") {
        pattern = scalar(value, key, source);
        rule.regex_line = int(value.line);
      } else if (key == "description") {
        rule.description = scalar(value, key, source);
      } else if (key == "references") {
        rule.references = scalars(value, key, source);
      } else if (key == "categories") {
        rule.tags = scalars(value, key, source);
      } else if (key == "examples" || key == "negative_examples" || key == "non_examples") {
        for (std::string& example : scalars(value, key, source)) {
          (key == "examples" ? rule.examples : rule.negative_examples)
              .push_back({std::move(example)});
        }
      } else if (key == "min_entropy") {
        const std::string text = scalar(value, key, source);  // strtod's `end` points into it
        char* end = nullptr;
        double entropy = std::strtod(text.c_str(), &end);
        if (end == nullptr || *end != '\0' || !(entropy >= 0)) {
          throw UsageError(source + ":" + std::to_string(value.line) +
                           ": 'min_entropy' must be a non-negative number");
        }
        if (entropy > 0) rule.min_entropy = entropy;
      } else if (key == "visible") {
        // Kingfisher: an invisible rule only feeds another's validation.
        rule.skip_report = scalar(value, key, source) == "false";
      } else if (key == "confidence" || key == "prevalidated") {
        // Kingfisher's ranking of its own rules: informational.
      } else {
        ++unhonoured[key];
      }
    }
    if (rule.id.empty()) throw UsageError(at + ": a rule needs a non-empty 'id'");
    if (pattern.empty())
      throw UsageError(at + ": rule '" + rule.id + "': a rule needs a 'pattern'");
    if (rule.name.empty()) rule.name = rule.id;
    std::string problem;
    rule.regex = pattern_to_re2(pattern, problem);
    if (problem.empty()) {
      if (std::string error = LazyRegex(rule.regex).validate(); !error.empty())
        problem = "RE2: " + error;
    }
    if (!problem.empty()) {
      ruleset.notes.push_back(at + ": rule '" + rule.id +
                              "' skipped: its pattern cannot run in RE2 (" + problem + ")");
      continue;
    }
    rule.compiled_regex = std::make_shared<const LazyRegex>(rule.regex);
    rule.optional = true;
    auto known = std::find_if(ruleset.rules.begin(), ruleset.rules.end(),
                              [&](const Rule& other) { return other.id == rule.id; });
    if (known != ruleset.rules.end()) {
      ruleset.notes.push_back(at + ": rule '" + rule.id + "' replaces the rule of that id from " +
                              known->source);
      *known = std::move(rule);
    } else {
      ruleset.rules.push_back(std::move(rule));
    }
    ++loaded;
  }
  for (const auto& [field, count] : unhonoured) {
    std::string why = field == "validation"        ? " (keysweep does not call other vendors' APIs)"
                      : field == "depends_on_rule" ? " (the rule runs on its own)"
                                                   : "";
    ruleset.notes.push_back(source + ": '" + field + "' of " + std::to_string(count) +
                            " rules is not honoured" + why);
  }
  (void)loaded;
}

}  // namespace keysweep
