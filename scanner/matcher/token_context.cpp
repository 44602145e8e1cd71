#include "matcher/token_context.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "util/text.h"

namespace keysweep {
namespace {

// How far back each part of the chain is looked for (see the header).
constexpr std::size_t kOwnNameReach = 256;
constexpr std::size_t kLabelReach = 320;
constexpr std::size_t kBracketReach = 256;
constexpr std::size_t kYamlReach = 2048;
constexpr std::size_t kMaxNameLength = 128;
constexpr int kMaxBracketLevels = 3;
constexpr int kMaxYamlLevels = 4;

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
bool is_newline(char c) {
  return c == '\n' || c == '\r';
}
bool is_quote(char c) {
  return c == '"' || c == '\'' || c == '`';
}
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
/// A word that names nothing alone: the phrase before it says what.
bool is_generic_noun(std::string_view word) {
  auto equals = [&](std::string_view noun) {
    return word.size() == noun.size() &&
           std::equal(word.begin(), word.end(), noun.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  };
  return equals("key") || equals("token") || equals("secret") || equals("value");
}

bool is_name_char(char c) {
  return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '$' || c == '@' || c == '/';
}

/// 1 for a closing bracket, -1 for an opening one, 0 for any other byte.
constexpr std::array<signed char, 256> kBracketKind = [] {
  std::array<signed char, 256> kinds{};
  for (unsigned char c : {'}', ']', ')'}) kinds[c] = 1;
  for (unsigned char c : {'{', '[', '('}) kinds[c] = -1;
  return kinds;
}();

/// echo and its flags: what precedes a value piped into base64 or a file.
bool is_echo_word(std::string_view word) {
  for (std::string_view echo : {"echo", "printf", "-n", "-e", "-ne", "-en"}) {
    if (word == echo) return true;
  }
  return false;
}

bool is_type_word(std::string_view word) {
  for (std::string_view type :
       {"string", "String", "str", "&str", "const", "final", "static", "readonly"}) {
    if (word == type) return true;
  }
  return false;
}

/// A name read backwards from where its value starts, and where the name
/// itself starts (the chain continues outwards from there).
struct NameAt {
  std::string name;  // empty: the value has no name of its own (a list element, a bare word)
  std::size_t start = 0;
};

/// Reads backwards over bytes in [floor, position), counting what it reads.
class BackReader {
 public:
  BackReader(std::string_view text, std::size_t& examined) : text_(text), examined_(examined) {}

  std::size_t skip_blanks(std::size_t p, std::size_t floor) const {
    std::size_t from = p;
    while (p > floor && is_blank(text_[p - 1])) --p;
    examined_ += from - p;
    return p;
  }

  /// The quoted string that ends at `close` (the closing quote is at close - 1),
  /// within one line; its opening quote's position, or npos.
  std::size_t quoted_start(std::size_t close, std::size_t floor) const {
    char quote = text_[close - 1];
    std::size_t limit = close > floor + kMaxNameLength ? close - kMaxNameLength : floor;
    for (std::size_t p = close - 1; p > limit; --p) {
      ++examined_;
      char c = text_[p - 1];
      if (is_newline(c)) return std::string_view::npos;
      if (c == quote) return p - 1;
    }
    return std::string_view::npos;
  }

  /// The name before a value that starts at `value`: skips the value's opening
  /// quotes, blanks and the assignment operator, then reads the name.
  NameAt name_before(std::size_t value, std::size_t floor) const {
    NameAt at{{}, value};
    std::size_t p = value;
    while (p > floor && (is_quote(text_[p - 1]) || text_[p - 1] == '\\')) --p;
    p = skip_blanks(p, floor);
    if (p == floor) return at;
    char c = text_[p - 1];
    bool after_comma = false;
    bool bare = false;  // no operator between the name and the value
    switch (c) {
      case '\n':
      case '\r':
        return at;
      case '[':
      case '{':
        at.start = p;  // an element of a list or object: the opener's name is the parent
        return at;
      case '=':
        --p;
        while (p > floor && (text_[p - 1] == ':' || text_[p - 1] == '?' || text_[p - 1] == '+' ||
                             text_[p - 1] == '!')) {
          --p;
        }
        break;
      case '>':
        if (p - 1 > floor && (text_[p - 2] == '=' || text_[p - 2] == '-')) {
          p -= 2;  // => and ->
          break;
        }
        return element_name(p - 1, floor, value);
      case ':':
      case '(':
        --p;
        break;
      case ',':
        --p;
        after_comma = true;
        break;
      case '-':
        // A YAML list item ("- value"): no name of its own.
        if (p - 1 == floor || is_blank(text_[p - 2]) || is_newline(text_[p - 2])) {
          at.start = p - 1;
          return at;
        }
        if (text_[p - 2] == ':') {
          p -= 2;  // a shell default: ${DD_API_KEY:-value}
          break;
        }
        {
          // The same default without the colon: ${DD_API_KEY-value}.
          std::size_t name_start = p - 1;
          while (name_start > floor && is_name_char(text_[name_start - 1])) --name_start;
          if (name_start < p - 1 && name_start - floor >= 2 && text_[name_start - 1] == '{' &&
              text_[name_start - 2] == '$')
            --p;
        }
        break;
      case '|':
      case '?':
        // A fallback: process.env.DD_API_KEY || "value", ... ?? "value".
        if (p - 1 > floor && text_[p - 2] == c) p -= 2;
        break;
      default:
        bare =
            true;  // no operator: the previous word names it (`ENV DD_API_KEY key`, `apikey  key`)
        break;
    }
    p = skip_blanks(p, floor);
    if (p == floor) return at;
    // Python's fallback: os.environ.get("DD_API_KEY") or "value".
    if (p - floor > 2 && text_.substr(p - 2, 2) == "or" &&
        (p - 2 == floor || !is_name_char(text_[p - 3]))) {
      p = skip_blanks(p - 2, floor);
      if (p == floor) return at;
    }
    // A call names the value by its string argument, else by itself:
    // os.getenv("DD_API_KEY") || "value".
    if (text_[p - 1] == ')') return call_name(p, floor, value);
    std::size_t end = p;
    std::size_t start = p;
    if (p > floor && (is_quote(text_[p - 1]) || text_[p - 1] == ']')) {
      std::size_t close = p;
      if (text_[close - 1] == ']') --close;
      if (close > floor && is_quote(text_[close - 1])) {
        std::size_t open = quoted_start(close, floor);
        if (open == std::string_view::npos) return at;
        std::size_t inner_end = close - 1;
        if (inner_end > open + 1 && text_[inner_end - 1] == '\\') --inner_end;  // \"name\"
        std::size_t inner_start = open + 1;
        start = open;
        if (start > floor && text_[start - 1] == '\\') --start;
        std::string name(text_.substr(inner_start, inner_end - inner_start));
        // A subscript (`api_key["apiKeyAuth"]`): the container is part of the name.
        if (start > floor && text_[start - 1] == '[') {
          std::size_t outer = start - 1;
          std::size_t from = outer;
          while (from > floor && outer - from < kMaxNameLength && is_name_char(text_[from - 1]))
            --from;
          examined_ += outer - from;
          name = std::string(text_.substr(from, outer - from)) + " " + name;
          start = from;
        }
        at.name = std::move(name);
        at.start = start;
        return after_comma && looks_like_value(at.name) ? NameAt{{}, value} : at;
      }
      return at;
    }
    while (start > floor && end - start < kMaxNameLength && is_name_char(text_[start - 1])) --start;
    examined_ += end - start;
    // A declared type between the name and the value (Go `var ddAPIKey string = `,
    // TypeScript `apiKey: string = `): the name is the word before it.
    if (is_type_word(text_.substr(start, end - start))) {
      std::size_t q = skip_blanks(start, floor);
      if (q > floor && text_[q - 1] == ':') q = skip_blanks(q - 1, floor);
      if (q < start && q > floor && is_name_char(text_[q - 1])) {
        end = q;
        start = q;
        while (start > floor && end - start < kMaxNameLength && is_name_char(text_[start - 1]))
          --start;
        examined_ += end - start;
      }
    }
    // Prose names a value with a phrase: "rotate API key <value>" is not a
    // bare `key`. Up to two more words on the line join a bare generic noun.
    if (bare && is_generic_noun(text_.substr(start, end - start))) {
      for (int words = 0; words < 2; ++words) {
        std::size_t q = start;
        if (q < floor + 2 || text_[q - 1] != ' ' || !is_alnum(text_[q - 2])) break;
        std::size_t from = q - 1;
        while (from > floor && q - from < kMaxNameLength && is_alnum(text_[from - 1])) --from;
        examined_ += q - from;
        start = from;
      }
    }
    at.name = std::string(text_.substr(start, end - start));
    // A Java system property flag: -Ddd.api.key=... names dd.api.key.
    if (at.name.size() > 2 && at.name[0] == '-' && at.name[1] == 'D') at.name.erase(0, 2);
    at.start = start;
    // A value in a list of values (`k1, k2`, `k1 k2`, `k1= k2=`) is no name of the next one.
    if (looks_like_value(at.name)) return NameAt{{}, value};
    return at;
  }

  /// The name of a call that ends at `close` (just after its `)`): its first
  /// quoted argument, else the function's name.
  NameAt call_name(std::size_t close, std::size_t floor, std::size_t value) const {
    std::size_t limit = close > floor + kMaxNameLength ? close - kMaxNameLength : floor;
    for (std::size_t p = close - 1; p > limit; --p) {
      ++examined_;
      if (text_[p - 1] != '(') continue;
      std::size_t open = p - 1;
      // Searches stay inside the call: a bounded read, whatever follows.
      std::string_view call = text_.substr(0, close);
      std::size_t quote = call.find_first_of("\"'", p);
      if (quote < close - 1) {
        std::size_t end = call.find(text_[quote], quote + 1);
        if (end != std::string_view::npos && end < close) {
          return {std::string(text_.substr(quote + 1, end - quote - 1)), open};
        }
      }
      std::size_t start = open;
      while (start > floor && open - start < kMaxNameLength && is_name_char(text_[start - 1]))
        --start;
      return {std::string(text_.substr(start, open - start)), start};
    }
    return {{}, value};
  }

  /// `<apiKey>value</apiKey>`: the element's tag names the value.
  NameAt element_name(std::size_t close, std::size_t floor, std::size_t value) const {
    std::size_t limit = close > floor + kMaxNameLength ? close - kMaxNameLength : floor;
    for (std::size_t p = close; p > limit; --p) {
      ++examined_;
      char c = text_[p - 1];
      if (is_newline(c)) break;
      if (c != '<') continue;
      std::size_t end = p;
      while (end < close && is_name_char(text_[end])) ++end;
      return {std::string(text_.substr(p, end - p)), p - 1};
    }
    return {{}, value};
  }

  /// The nearest unmatched opener ({, [, () before `position`, or npos.
  std::size_t enclosing_opener(std::size_t position, std::size_t floor) const {
    int depth = 0;
    for (std::size_t p = position; p > floor; --p) {
      ++examined_;
      // Most bytes are no bracket: one table lookup each.
      int kind = kBracketKind[static_cast<unsigned char>(text_[p - 1])];
      if (kind == 0) continue;
      if (kind > 0) {
        ++depth;
      } else {
        if (depth == 0) return p - 1;
        --depth;
      }
    }
    return std::string_view::npos;
  }

  bool any_bracket(std::size_t from, std::size_t to) const {
    examined_ += to - from;
    for (std::size_t p = from; p < to; ++p) {
      char c = text_[p];
      if (c == '{' || c == '[' || c == '(' || c == '}' || c == ']' || c == ')') return true;
    }
    return false;
  }

  std::string_view text() const { return text_; }
  std::size_t& examined() const { return examined_; }

 private:
  /// After a comma, a previous list element that is itself a value (another
  /// key in `["k1", "k2"]`) is no name.
  /// A hex run of 16 or more, or base64 text (32 or more of its alphabet,
  /// with digits): a value, not a name.
  static bool looks_like_value(std::string_view name) {
    std::size_t run = 0, longest = 0, digits = 0;
    bool base64 = name.size() >= 32;
    for (char c : name) {
      bool digit = c >= '0' && c <= '9';
      digits += digit;
      run = (digit || (c >= 'a' && c <= 'f')) ? run + 1 : 0;
      longest = std::max(longest, run);
      base64 = base64 && (is_alnum(c) || c == '+' || c == '/' || c == '=');
    }
    return longest >= 16 || (base64 && digits >= 4);
  }

  std::string_view text_;
  std::size_t& examined_;
};

std::vector<std::string> words_of(std::string_view name) {
  std::vector<std::string> words;
  split_name_words(name, words);
  return words;
}

/// A chain name from text: its words, and whether it is a URL or a path.
ChainName chain_name(std::string_view name, bool own) {
  return {words_of(name), own, name.find('/') != std::string_view::npos};
}

bool matches_level(const std::vector<std::string>& words, const NamePattern& pattern,
                   std::size_t level, bool exact) {
  return exact ? words == pattern[level] : words_contain(words, pattern[level]);
}

/// Whether `pattern` matches the chain with its innermost level at `index`.
bool matches_at(const std::vector<ChainName>& chain, std::size_t index, const NamePattern& pattern,
                bool exact) {
  for (std::size_t k = 0; k < pattern.size(); ++k) {
    std::size_t at = index + k;
    // A structural name (`api_key > key`, a JSON response) names the
    // innermost level exactly: `cache_key` under `api_key` is not its `key`.
    bool level_exact = exact || (k == 0 && pattern.size() > 1);
    if (at >= chain.size() ||
        !matches_level(chain[at].words, pattern, pattern.size() - 1 - k, level_exact)) {
      return false;
    }
  }
  return true;
}

/// Whether every word of an own kind name is the kind's, a generic name's, a
/// marker, a qualifier or a number: OPENWEATHER_API_KEY names another vendor.
bool only_qualified(const std::vector<std::string>& words, const Rule& rule,
                    const Context& context) {
  std::vector<bool> covered(words.size(), false);
  for (const auto* patterns : {&rule.kind_names, &rule.generic_names}) {
    for (const NamePattern& pattern : *patterns) {
      const std::vector<std::string>& level = pattern.back();
      for (auto at = std::search(words.begin(), words.end(), level.begin(), level.end());
           at != words.end(); at = std::search(at + 1, words.end(), level.begin(), level.end())) {
        std::fill(covered.begin() + (at - words.begin()),
                  covered.begin() + (at - words.begin()) + std::ptrdiff_t(level.size()), true);
      }
    }
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    bool number =
        std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!covered[i] && !number && word.size() > 1 &&
        !std::binary_search(context.qualifiers.begin(), context.qualifiers.end(), word) &&
        !std::binary_search(context.markers.begin(), context.markers.end(), word)) {
      return false;
    }
  }
  return true;
}

/// Whether a generic name of the rule (`key`, `token`, `secret`) is among the words.
bool has_generic_word(const std::vector<std::string>& words, const Rule& rule) {
  return std::any_of(rule.generic_names.begin(), rule.generic_names.end(),
                     [&](const NamePattern& pattern) {
                       return pattern.size() == 1 && words_contain(words, pattern.back());
                     });
}

bool any_matches_at(const std::vector<ChainName>& chain, std::size_t index,
                    const std::vector<NamePattern>& patterns, bool exact) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const NamePattern& pattern) {
    return matches_at(chain, index, pattern, exact);
  });
}

/// `set` is sorted.
bool has_any_word(const std::vector<std::string>& words, const std::vector<std::string>& set) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& word) {
    return std::binary_search(set.begin(), set.end(), word);
  });
}

/// One line, as far as YAML structure goes.
struct YamlLine {
  std::size_t indent = 0;
  bool item = false;      // a list item: "- ..."
  bool content = false;   // not blank, not a comment
  std::string_view key;   // `key:` with nothing after it but a comment; empty otherwise
  std::string_view text;  // the line from its first non-blank byte, at most kMaxNameLength bytes
};

YamlLine read_line(std::string_view text, std::size_t start, std::size_t& examined) {
  YamlLine line;
  std::size_t limit = std::min(text.size(), start + kMaxNameLength + 64);
  std::size_t p = start;
  while (p < limit && is_blank(text[p])) ++p;
  line.indent = p - start;
  if (p == limit || is_newline(text[p]) || text[p] == '#') {
    examined += p - start;
    return line;
  }
  line.content = true;
  line.item = p + 1 < limit && text[p] == '-' && is_blank(text[p + 1]);
  if (line.item) p += 2;
  while (p < limit && is_blank(text[p])) ++p;
  std::size_t end = p;
  while (end < limit && !is_newline(text[end])) ++end;
  examined += end - start;
  line.text = text.substr(p, end - p);
  for (std::size_t q = p; q < end; ++q) {
    if (text[q] == ':' && (q + 1 == end || is_blank(text[q + 1]))) {
      std::size_t rest = q + 1;
      while (rest < end && is_blank(text[rest])) ++rest;
      if (rest == end || text[rest] == '#' || text[rest] == '&') line.key = text.substr(p, q - p);
      break;
    }
  }
  return line;
}

/// The start of the line before the one that starts at `start`, or npos
/// when there is none within kYamlReach bytes.
std::size_t previous_line_start(std::string_view text, std::size_t start, std::size_t& examined) {
  if (start == 0) return std::string_view::npos;
  std::size_t floor = start > kYamlReach ? start - kYamlReach : 0;
  std::size_t p = start - 1;  // the newline ending the previous line
  while (p > floor && !is_newline(text[p - 1])) --p;
  examined += start - p;
  if (p == floor && floor > 0) return std::string_view::npos;
  return p;
}

/// The start of the YAML parent line of the line at `line_start` (a content
/// line with less indentation, or a key line at the same indentation over a
/// list item), or npos. Memoized per buffer: a parent found once is a jump
/// for every later line, so dense values cost O(1) each.
std::size_t yaml_parent(std::string_view text, std::size_t line_start, ChainMemo& memo,
                        std::size_t& examined) {
  auto& parents = memo.yaml_parents;
  if (auto known = parents.find(line_start); known != parents.end()) return known->second;
  YamlLine line = read_line(text, line_start, examined);
  std::size_t parent = std::string_view::npos;
  if (line.indent > 0 || line.item) {
    std::size_t p = previous_line_start(text, line_start, examined);
    for (int steps = 0; p != std::string_view::npos && steps < 256; ++steps) {
      YamlLine previous = read_line(text, p, examined);
      if (previous.content) {
        if (previous.indent < line.indent ||
            (line.item && previous.indent == line.indent && !previous.item)) {
          parent = p;
          break;
        }
        // Everything between this line's parent and this line is indented at
        // least as deep as this line, so none of it can be ours.
        if (auto known = parents.find(p); known != parents.end()) {
          p = known->second;
          continue;
        }
      }
      p = previous_line_start(text, p, examined);
    }
  }
  parents.emplace(line_start, parent);
  return parent;
}

/// The YAML keys above `position`, nearest first, from indentation alone; a
/// less indented line that is no key (`Bugsnag.configure do |config|`, `with
/// datadog.initialize(...)`) ends the chain as a name of its own.
void yaml_parents(const BackReader& reader, std::size_t position, ChainMemo& memo,
                  std::vector<ChainName>& chain) {
  std::string_view text = reader.text();
  std::size_t line_start;
  if (memo.line_from <= position &&
      std::memchr(text.data() + memo.line_from, '\n', position - memo.line_from) == nullptr) {
    // Still on the line of the last value: many values on one long line must
    // not each look for its start.
    reader.examined() += position - memo.line_from;
    line_start = memo.line_start;
  } else {
    std::size_t floor = position > kYamlReach ? position - kYamlReach : 0;
    line_start = position;
    while (line_start > floor && !is_newline(text[line_start - 1])) --line_start;
    reader.examined() += position - line_start;
    if (line_start == floor && floor > 0) line_start = SIZE_MAX;
  }
  memo.line_from = position;
  memo.line_start = line_start;
  if (line_start == SIZE_MAX) return;  // a line longer than the reach: no YAML here
  for (int level = 0; level < kMaxYamlLevels; ++level) {
    std::size_t parent = yaml_parent(text, line_start, memo, reader.examined());
    if (parent == std::string_view::npos) return;
    YamlLine line = read_line(text, parent, reader.examined());
    if (line.key.empty()) {
      chain.push_back(chain_name(line.text, false));
      return;
    }
    std::string_view key = line.key;
    while (!key.empty() && is_blank(key.back())) key.remove_suffix(1);
    if (key.size() >= 2 && is_quote(key.front()) && key.back() == key.front())
      key = key.substr(1, key.size() - 2);
    chain.push_back(chain_name(key, false));
    line_start = parent;
  }
}

/// The value of the nearest sibling label (`name: DD_API_KEY`, `key="DD_API_KEY"`)
/// before `position`, or "".
std::string sibling_label(const BackReader& reader, std::size_t position, const Context& context) {
  std::string_view text = reader.text();
  std::size_t floor = position > kLabelReach ? position - kLabelReach : 0;
  for (std::size_t p = position; p > floor; --p) {
    ++reader.examined();
    char c = text[p - 1];
    if (c != ':' && c != '=') continue;
    // The name before this operator: is it a label?
    std::size_t q = p - 1;
    q = reader.skip_blanks(q, floor);
    std::size_t end = q;
    if (q > floor && is_quote(text[q - 1])) {
      --end;
      --q;
    }
    std::size_t start = q;
    while (start > floor && is_name_char(text[start - 1])) --start;
    std::vector<std::string> words = words_of(text.substr(start, end - start));
    bool is_label = std::any_of(
        context.label_names.begin(), context.label_names.end(),
        [&](const NamePattern& pattern) { return pattern.size() == 1 && words == pattern[0]; });
    if (!is_label) continue;
    // The label's value: after the operator, blanks and an opening quote.
    std::size_t v = p;
    while (v < position && (is_blank(text[v]) || is_quote(text[v]))) ++v;
    std::size_t v_end = v;
    while (v_end < position && is_name_char(text[v_end])) ++v_end;
    return std::string(text.substr(v, v_end - v));
  }
  return {};
}

/// The quoted strings in [from, to) at bracket depth 0, as chain names.
void string_arguments(const BackReader& reader, std::size_t from, std::size_t to,
                      std::vector<ChainName>& chain) {
  std::string_view text = reader.text();
  to = std::min(to, from + kMaxNameLength * 2);
  int depth = 0;
  for (std::size_t p = from; p < to; ++p) {
    ++reader.examined();
    char c = text[p];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (depth != 0 || (c != '"' && c != '\'')) continue;
    std::size_t close = text.substr(0, to).find(c, p + 1);
    if (close == std::string_view::npos || close >= to || close - p > kMaxNameLength) return;
    chain.push_back(chain_name(text.substr(p + 1, close - p - 1), false));
    p = close;
  }
}

}  // namespace

bool words_contain(const std::vector<std::string>& words, const std::vector<std::string>& pattern) {
  if (pattern.empty() || pattern.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), pattern.begin(), pattern.end()) != words.end();
}

std::vector<ChainName> name_chain(std::string_view content, std::size_t value_start,
                                  const Context& context, ChainMemo& memo,
                                  std::size_t& bytes_examined) {
  std::vector<ChainName> chain;
  BackReader reader(content, bytes_examined);
  std::size_t own_floor = value_start > kOwnNameReach ? value_start - kOwnNameReach : 0;
  NameAt own = reader.name_before(value_start, own_floor);
  // `DD_API_KEY_B64=$(echo -n "<key>" | base64)`: the command substitution's
  // assignment names the value, not echo's flags.
  for (int hops = 0; hops < 3 && is_echo_word(own.name); ++hops) {
    std::size_t p = own.start;
    while (p > own_floor && (is_blank(content[p - 1]) || content[p - 1] == '(' ||
                             content[p - 1] == '$' || content[p - 1] == '`')) {
      --p;
    }
    own = reader.name_before(p, own_floor);
  }
  std::size_t position = own.start;
  if (!own.name.empty()) {
    chain.push_back(chain_name(own.name, true));
    // A generic `value` takes its name from a sibling label.
    bool value_name = std::any_of(context.value_names.begin(), context.value_names.end(),
                                  [&](const NamePattern& pattern) {
                                    return pattern.size() == 1 && chain.back().words == pattern[0];
                                  });
    if (value_name) {
      std::string label = sibling_label(reader, own.start, context);
      if (!label.empty()) chain.push_back(chain_name(label, true));
    }
  }
  std::size_t bracket_floor = position > kBracketReach ? position - kBracketReach : 0;
  for (int level = 0; level < kMaxBracketLevels; ++level) {
    std::size_t opener;
    if (level == 0 && memo.no_opener_at <= position &&
        position - memo.no_opener_at <= kBracketReach &&
        !reader.any_bracket(memo.no_opener_at, position)) {
      // Nothing between the last bracket-free search and here: the same answer.
      opener = std::string_view::npos;
    } else {
      opener = reader.enclosing_opener(position, bracket_floor);
      if (level == 0 && opener == std::string_view::npos) memo.no_opener_at = position;
    }
    if (opener == std::string_view::npos) break;
    // A call's string arguments before the value name it too:
    // set_auth_key("appKeyAuth", APIKey { key: "..." }).
    if (content[opener] == '(') string_arguments(reader, opener + 1, position, chain);
    NameAt parent = reader.name_before(opener, bracket_floor);
    if (!parent.name.empty()) chain.push_back(chain_name(parent.name, false));
    position = parent.name.empty() ? opener : parent.start;
  }
  yaml_parents(reader, position, memo, chain);
  return chain;
}

TokenVerdict judge_chain(const std::vector<ChainName>& chain, const Rule& rule,
                         const std::vector<const Rule*>& others, bool mention_near) {
  const Context& context = *rule.context;
  auto other_rule_names = [&](std::size_t i) {
    return std::any_of(others.begin(), others.end(), [&](const Rule* other) {
      return any_matches_at(chain, i, other->names, false) ||
             any_matches_at(chain, i, other->kind_names, false);
    });
  };
  // The value's own names first: another vendor's or a digest's name rejects
  // it whatever surrounds it.
  for (std::size_t i = 0; i < chain.size() && chain[i].own; ++i) {
    if (chain[i].url || any_matches_at(chain, i, rule.names, false)) continue;
    if (has_any_word(chain[i].words, context.foreign) ||
        has_any_word(chain[i].words, context.not_secret)) {
      return TokenVerdict::rejected;
    }
  }
  // A name of this rule anywhere in the chain decides (a client's auth name
  // over the struct that holds the key, `additional_endpoints` over a list).
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (any_matches_at(chain, i, rule.names, false)) return TokenVerdict::named;
    if (chain[i].own && has_any_word(chain[i].words, context.markers) &&
        any_matches_at(chain, i, rule.kind_names, false)) {
      return TokenVerdict::named;  // DD_APP_KEY, whatever the enclosing names say
    }
    if (any_matches_at(chain, i, context.other_secrets, false)) return TokenVerdict::rejected;
  }
  bool generic_seen = false;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const ChainName& name = chain[i];
    const std::vector<std::string>& words = name.words;
    // A digest's or a reference's word outranks a Datadog name beside it:
    // DD_API_KEY_SECRET_ARN holds where the key is, not the key.
    if (!name.url &&
        (has_any_word(words, context.foreign) || has_any_word(words, context.not_secret))) {
      return TokenVerdict::rejected;
    }
    bool marked = has_any_word(words, context.markers);
    bool kind = any_matches_at(chain, i, rule.kind_names, false);
    if (marked && kind) return TokenVerdict::named;
    if (other_rule_names(i))
      return TokenVerdict::rejected;  // another kind of key over a value of the wrong shape
    // DATADOG_KEY, DD_TOKEN: Datadog's mark on a generic noun, and nothing else.
    if (marked && name.own && !name.url && has_generic_word(words, rule) &&
        only_qualified(words, rule, context))
      return TokenVerdict::named;
    if (kind && name.own && !only_qualified(words, rule, context)) return TokenVerdict::rejected;
    if (kind || any_matches_at(chain, i, rule.generic_names, true)) {
      generic_seen = true;
      continue;
    }
    // Assigned to something else (a commit, a url), or an element of a list
    // named something else (`"data": ["<id>"]`), or a place in a URL that
    // is no Datadog endpoint (an avatar's digest).
    if ((name.own || i == 0) && (!name.url || i == 0)) return TokenVerdict::rejected;
  }
  return generic_seen && mention_near ? TokenVerdict::mentioned : TokenVerdict::rejected;
}

}  // namespace keysweep
