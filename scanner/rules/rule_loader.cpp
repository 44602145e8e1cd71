#include "rules/rule_loader.h"

#include <re2/re2.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "rules/builtin_rules.h"
#include "rules/yaml_rules.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/text.h"

namespace keysweep {
namespace {

/// Names a place in a rule file: "file:line" and the rule id when known.
class Where {
 public:
  Where(const std::string& source, std::string rule_id = {})
      : source_(source), rule_id_(std::move(rule_id)) {}

  [[noreturn]] void fail(const toml::node* node, const std::string& reason) const {
    std::ostringstream message;
    message << source_;
    if (node != nullptr && node->source().begin.line != 0)
      message << ':' << node->source().begin.line;
    message << ": ";
    if (!rule_id_.empty()) message << "rule '" << rule_id_ << "': ";
    message << reason;
    throw UsageError(message.str());
  }

 private:
  const std::string& source_;
  std::string rule_id_;
};

std::string get_string(const toml::node& node, std::string_view key, const Where& where) {
  if (auto value = node.value<std::string>()) return *value;
  where.fail(&node, "'" + std::string(key) + "' must be a string");
}

std::vector<std::string> get_strings(const toml::node& node, std::string_view key,
                                     const Where& where) {
  const toml::array* array = node.as_array();
  if (array == nullptr) where.fail(&node, "'" + std::string(key) + "' must be an array of strings");
  std::vector<std::string> values;
  for (const toml::node& element : *array) values.push_back(get_string(element, key, where));
  return values;
}

std::shared_ptr<const re2::RE2> compile_regex(const std::string& pattern, std::string_view what,
                                              const toml::node* node, const Where& where) {
  std::shared_ptr<const re2::RE2> regex = compile_rule_regex(pattern);
  if (!regex->ok()) {
    where.fail(node, std::string(what) + " does not compile: " + regex->error());
  }
  return regex;
}

/// One allowlist table. `target_rules` collects gitleaks' targetRules, which
/// only a global allowlist may have (null: not allowed here).
/// An allowlist's strings: an empty one would match every secret or path and
/// set the whole scan aside without a word, so it is refused.
std::vector<std::string> non_empty_strings(const toml::node& value, std::string_view key,
                                           const Where& where) {
  std::vector<std::string> strings = get_strings(value, key, where);
  if (std::any_of(strings.begin(), strings.end(), [](const std::string& s) { return s.empty(); }))
    where.fail(&value, std::string(key) + ": an empty entry would set every match aside");
  return strings;
}

Allowlist parse_allowlist(const toml::node& node, const Where& where,
                          std::vector<std::string>* target_rules) {
  const toml::table* table = node.as_table();
  if (table == nullptr) where.fail(&node, "an allowlist must be a table");
  Allowlist allowlist;
  for (const auto& [key, value] : *table) {
    if (key == "description") {
      allowlist.description = get_string(value, key, where);
    } else if (key == "condition") {
      std::string condition = ascii_lowercase(get_string(value, key, where));
      if (condition != "or" && condition != "and" && condition != "||" && condition != "&&") {
        where.fail(&value, "condition must be OR or AND");
      }
      allowlist.require_all = condition == "and" || condition == "&&";
    } else if (key == "regexTarget") {
      std::string target = get_string(value, key, where);
      if (target == "secret") {
        allowlist.regex_target = AllowTarget::secret;
      } else if (target == "match") {
        allowlist.regex_target = AllowTarget::match;
      } else if (target == "line") {
        allowlist.regex_target = AllowTarget::line;
      } else {
        where.fail(&value, "regexTarget must be secret, match or line, not '" + target + "'");
      }
    } else if (key == "regexes") {
      for (const std::string& pattern : non_empty_strings(value, key, where)) {
        allowlist.regexes.push_back(compile_regex(pattern, "allowlist regex", &value, where));
      }
    } else if (key == "paths") {
      for (const std::string& pattern : non_empty_strings(value, key, where)) {
        allowlist.paths.push_back(compile_regex(pattern, "allowlist path", &value, where));
      }
    } else if (key == "stopwords") {
      for (const std::string& word : non_empty_strings(value, key, where)) {
        allowlist.stopwords.push_back(ascii_lowercase(word));
      }
    } else if (key == "commits") {
      allowlist.commits = non_empty_strings(value, key, where);
    } else if (key == "targetRules" && target_rules != nullptr) {
      *target_rules = get_strings(value, key, where);
    } else {
      where.fail(&value, "unknown allowlist field '" + std::string(key.str()) + "'");
    }
  }
  // As gitleaks: an allowlist with nothing to match would silently do nothing.
  if (allowlist.regexes.empty() && allowlist.paths.empty() && allowlist.stopwords.empty() &&
      allowlist.commits.empty()) {
    where.fail(&node, "an allowlist needs at least one of commits, paths, regexes, stopwords");
  }
  return allowlist;
}

/// Accepts both gitleaks forms: a single [allowlist] table and [[allowlists]].
void parse_allowlists(const toml::node& node, std::string_view key, const Where& where,
                      std::vector<Allowlist>& out,
                      std::vector<std::vector<std::string>>* target_rules = nullptr) {
  auto one = [&](const toml::node& element) {
    std::vector<std::string> targets;
    out.push_back(parse_allowlist(element, where, target_rules ? &targets : nullptr));
    if (target_rules) target_rules->push_back(std::move(targets));
  };
  if (key == "allowlist") {
    one(node);
    return;
  }
  const toml::array* array = node.as_array();
  if (array == nullptr) where.fail(&node, "'allowlists' must be an array of tables");
  for (const toml::node& element : *array) one(element);
}

std::vector<RuleExample> parse_examples(const toml::node& node, std::string_view key,
                                        const Where& where) {
  const toml::array* array = node.as_array();
  if (array == nullptr) where.fail(&node, "'" + std::string(key) + "' must be an array");
  std::vector<RuleExample> examples;
  for (const toml::node& element : *array) {
    RuleExample example;
    if (auto text = element.value<std::string>()) {
      example.text = *text;
    } else if (const toml::table* table = element.as_table()) {
      for (const auto& [field, value] : *table) {
        if (field == "text") {
          example.text = get_string(value, field, where);
        } else if (field == "path") {
          example.path = get_string(value, field, where);
        } else if (field == "secret") {
          example.secret = get_string(value, field, where);
        } else if (field == "encoding") {
          example.encoding = get_string(value, field, where);
          if (example.encoding != "base64") where.fail(&value, "example 'encoding' must be base64");
        } else {
          where.fail(&value, "unknown example field '" + std::string(field.str()) + "'");
        }
      }
    } else {
      where.fail(&element, "an example is a string or a table {text, path, secret}");
    }
    examples.push_back(std::move(example));
  }
  return examples;
}

/// "api key > key": word sequences per level, outermost first.
std::vector<NamePattern> parse_name_patterns(const toml::node& node, std::string_view key,
                                             const Where& where) {
  std::vector<NamePattern> patterns;
  for (const std::string& text : get_strings(node, key, where)) {
    NamePattern pattern;
    std::size_t from = 0;
    while (from <= text.size()) {
      std::size_t to = text.find('>', from);
      if (to == std::string::npos) to = text.size();
      std::vector<std::string> words;
      split_name_words(std::string_view(text).substr(from, to - from), words);
      if (words.empty())
        where.fail(&node, "'" + std::string(key) + "': '" + text + "' has an empty level");
      pattern.push_back(std::move(words));
      from = to + 1;
    }
    patterns.push_back(std::move(pattern));
  }
  return patterns;
}

std::vector<std::string> lowercase_words(const toml::node& node, std::string_view key,
                                         const Where& where) {
  std::vector<std::string> words = get_strings(node, key, where);
  for (std::string& word : words) {
    if (word.empty()) where.fail(&node, "'" + std::string(key) + "' must not hold an empty string");
    word = ascii_lowercase(std::move(word));
  }
  return words;
}

TokenShape parse_token_shape(const toml::node& node, const Where& where) {
  const toml::table* table = node.as_table();
  if (table == nullptr) where.fail(&node, "a token is a table { prefix, charset, length }");
  TokenShape shape;
  for (const auto& [field, value] : *table) {
    if (field == "prefix") {
      shape.prefix = get_string(value, field, where);
    } else if (field == "charset") {
      shape.charset = get_string(value, field, where);
    } else if (field == "length") {
      auto length = value.value<int64_t>();
      if (!length || *length < 8 || *length > 256)
        where.fail(&value, "token 'length' must be an integer from 8 to 256");
      shape.length = std::uint32_t(*length);
    } else {
      where.fail(&value, "unknown token field '" + std::string(field.str()) + "'");
    }
  }
  if (shape.length == 0) where.fail(&node, "a token needs a 'length'");
  // A class body of plain ASCII bytes and ranges: Hyperscan and the token
  // scanner must agree on it, so nothing fancier is accepted.
  const std::string& set = shape.charset;
  if (set.empty()) where.fail(&node, "a token needs a 'charset' such as \"0-9a-f\"");
  for (std::size_t i = 0; i < set.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(set[i]);
    bool range = set[i] == '-' && i > 0 && i + 1 < set.size();
    if (c >= 0x80 || (!std::isalnum(c) && c != '_' && c != '+' && c != '/' && !range)) {
      where.fail(&node, "token 'charset' must be letters, digits, _ + / and ranges like 0-9a-f");
    }
  }
  return shape;
}

/// A context window in bytes (a function, not a lambda: clang 14 cannot
/// capture the structured binding it would need).
std::size_t context_bytes(const toml::node& value, std::string_view what, const Where& where) {
  auto bytes = value.value<int64_t>();
  if (!bytes || *bytes < 0 || *bytes > 4096) {
    where.fail(&value, "'" + std::string(what) + "' must be 0 to 4096 bytes");
  }
  return std::size_t(*bytes);
}

std::shared_ptr<const Context> parse_context(const toml::node& node, const std::string& source) {
  const toml::table* table = node.as_table();
  Where where(source);
  if (table == nullptr) where.fail(&node, "'contexts' must be an array of tables ([[contexts]])");
  auto context = std::make_shared<Context>();
  context->source = source;
  for (const auto& [field, value] : *table) {
    if (field == "id") {
      context->id = get_string(value, field, where);
    } else if (field == "description") {
      get_string(value, field, where);
    } else if (field == "mentions") {
      context->mentions = lowercase_words(value, field, where);
    } else if (field == "mentionBefore") {
      context->mention_before = context_bytes(value, field, where);
    } else if (field == "mentionAfter") {
      context->mention_after = context_bytes(value, field, where);
    } else if (field == "markers") {
      context->markers = lowercase_words(value, field, where);
    } else if (field == "foreign") {
      context->foreign = lowercase_words(value, field, where);
    } else if (field == "notSecret") {
      context->not_secret = lowercase_words(value, field, where);
    } else if (field == "qualifiers") {
      context->qualifiers = lowercase_words(value, field, where);
    } else if (field == "otherSecrets") {
      context->other_secrets = parse_name_patterns(value, field, where);
    } else if (field == "valueNames") {
      context->value_names = parse_name_patterns(value, field, where);
    } else if (field == "labelNames") {
      context->label_names = parse_name_patterns(value, field, where);
    } else {
      where.fail(&value, "unknown context field '" + std::string(field.str()) + "'");
    }
  }
  if (context->id.empty()) where.fail(&node, "a context needs a non-empty 'id'");
  // Word sets are searched for every name of every candidate: keep them sorted.
  for (auto* words :
       {&context->markers, &context->foreign, &context->not_secret, &context->qualifiers}) {
    std::sort(words->begin(), words->end());
  }
  return context;
}

Severity parse_severity(const toml::node& node, const Where& where) {
  std::string name = ascii_lowercase(get_string(node, "severity", where));
  if (name == "low" || name == "info" || name == "note") return Severity::low;
  if (name == "medium" || name == "warning") return Severity::medium;
  if (name == "high" || name == "error") return Severity::high;
  if (name == "critical") return Severity::critical;
  where.fail(&node, "severity must be low, medium, high or critical, not '" + name + "'");
}

std::vector<RequiredRule> parse_required(const toml::node& node, const Where& where) {
  const toml::array* array = node.as_array();
  if (array == nullptr)
    where.fail(&node, "'required' must be an array of tables ([[rules.required]])");
  std::vector<RequiredRule> required;
  for (const toml::node& element : *array) {
    const toml::table* table = element.as_table();
    if (table == nullptr)
      where.fail(&element, "'required' must be an array of tables ([[rules.required]])");
    RequiredRule each;
    for (const auto& [field, value] : *table) {
      if (field == "id") {
        each.id = get_string(value, field, where);
      } else if (field == "withinLines" || field == "withinColumns") {
        auto within = value.value<int64_t>();
        if (!within || *within < 0 || *within > std::numeric_limits<int>::max()) {
          where.fail(&value, "'" + std::string(field.str()) + "' must be a non-negative integer");
        }
        (field == "withinLines" ? each.within_lines : each.within_columns) = int(*within);
      } else {
        where.fail(&value, "unknown [[rules.required]] field '" + std::string(field.str()) + "'");
      }
    }
    if (each.id.empty()) where.fail(&element, "[[rules.required]] needs a non-empty 'id'");
    required.push_back(std::move(each));
  }
  return required;
}

/// Betterleaks' additions to gitleaks' rule format: they load, unhonoured.
bool is_betterleaks_field(std::string_view key) {
  return key == "prefilter" || key == "filter" || key == "validate" || key == "specificity";
}

/// Reads one [[rules]] table's fields into `rule` (a new rule, or under
/// [extend] the base rule it refines: set fields replace the base's, tags,
/// keywords and allowlists add to them). finish_rule() checks the whole.
void parse_rule_fields(const toml::table& table, Rule& rule, const Ruleset& ruleset,
                       std::vector<std::string>& notes) {
  const std::string& source = rule.source;
  Where where(source, rule.id);
  for (const auto& [key, value] : table) {
    if (key == "id") {
      continue;
    } else if (key == "name") {
      rule.name = get_string(value, key, where);
    } else if (key == "description") {
      rule.description = get_string(value, key, where);
    } else if (key == "keyType") {
      rule.key_type = get_string(value, key, where);
    } else if (key == "severity") {
      rule.severity = parse_severity(value, where);
    } else if (key == "remediation") {
      rule.remediation = get_string(value, key, where);
    } else if (key == "references") {
      rule.references = get_strings(value, key, where);
    } else if (key == "tags") {
      for (std::string& tag : get_strings(value, key, where)) rule.tags.push_back(std::move(tag));
    } else if (key == "check") {
      std::string check = get_string(value, key, where);
      if (check != "repository" && check != "inventory") {
        where.fail(&value, "'check' must be repository or inventory");
      }
      rule.check = check == "repository" ? RuleCheck::repository : RuleCheck::inventory;
    } else if (key == "regex") {
      rule.regex = get_string(value, key, where);
      rule.regex_line = int(value.source().begin.line);
    } else if (key == "secretGroup") {
      auto group = value.value<int64_t>();
      // Bounded before the cast: 2^32 + 1 must not become group 1.
      if (!group || *group < 0 || *group > std::numeric_limits<int>::max()) {
        where.fail(&value, "'secretGroup' must be a non-negative integer");
      }
      rule.secret_group = int(*group);
    } else if (key == "keywords") {
      for (std::string& keyword : get_strings(value, key, where)) {
        if (keyword.empty()) where.fail(&value, "a keyword must not be empty");
        rule.keywords.push_back(ascii_lowercase(std::move(keyword)));
      }
    } else if (key == "entropy") {
      auto entropy = value.value<double>();
      // Written so that nan fails too (it would silently disable the check).
      if (!entropy || !(*entropy >= 0))
        where.fail(&value, "'entropy' must be a non-negative number");
      // gitleaks writes 0 for "no entropy floor".
      if (*entropy > 0) rule.min_entropy = *entropy;
    } else if (key == "path") {
      rule.path_regex = get_string(value, key, where);
      rule.compiled_path = compile_regex(rule.path_regex, "path", &value, where);
    } else if (key == "allowlist" || key == "allowlists") {
      if (table.contains("allowlist") && table.contains("allowlists")) {
        where.fail(&value, "[rules.allowlist] and [[rules.allowlists]] cannot be used together");
      }
      parse_allowlists(value, key, where, rule.allowlists);
    } else if (key == "required") {
      for (RequiredRule& each : parse_required(value, where))
        rule.required.push_back(std::move(each));
    } else if (key == "skipReport") {
      auto flag = value.value<bool>();
      if (!flag) where.fail(&value, "'skipReport' must be true or false");
      rule.skip_report = *flag;
    } else if (key == "examples") {
      rule.examples = parse_examples(value, key, where);
    } else if (key == "negative_examples") {
      rule.negative_examples = parse_examples(value, key, where);
    } else if (key == "token") {
      rule.tokens.push_back(parse_token_shape(value, where));
    } else if (key == "tokens") {
      const toml::array* array = value.as_array();
      if (array == nullptr) where.fail(&value, "'tokens' must be an array of tables");
      for (const toml::node& element : *array)
        rule.tokens.push_back(parse_token_shape(element, where));
    } else if (key == "context") {
      std::string id = get_string(value, key, where);
      for (const auto& context : ruleset.contexts) {
        if (context->id == id) rule.context = context;
      }
      if (!rule.context)
        where.fail(&value, "no [[contexts]] with id '" + id + "' is loaded before this rule");
    } else if (key == "names") {
      rule.names = parse_name_patterns(value, key, where);
    } else if (key == "kindNames") {
      rule.kind_names = parse_name_patterns(value, key, where);
    } else if (key == "genericNames") {
      rule.generic_names = parse_name_patterns(value, key, where);
    } else if (key == "base64") {
      auto flag = value.value<bool>();
      if (!flag) where.fail(&value, "'base64' must be true or false");
      rule.base64 = *flag;
    } else if (is_betterleaks_field(key)) {
      notes.push_back(source + ":" + std::to_string(value.source().begin.line) + ": rule '" +
                      rule.id + "': '" + std::string(key.str()) +
                      "' (betterleaks) is not honoured: the rule runs without it");
    } else {
      notes.push_back(source + ":" + std::to_string(value.source().begin.line) + ": rule '" +
                      rule.id + "': unknown field '" + std::string(key.str()) + "' ignored");
    }
  }
}

/// Checks a rule as a whole once its fields are in, and compiles what it needs.
void finish_rule(Rule& rule, const toml::node& table) {
  Where where(rule.source, rule.id);
  rule.key_kind = key_kind_from_name(rule.key_type);
  if (rule.check != RuleCheck::none) {
    // A lint check is code; only its metadata and examples are data.
    if (!rule.regex.empty() || !rule.keywords.empty())
      where.fail(&table, "a check has no regex or keywords");
    if (rule.name.empty()) rule.name = rule.id;
    rule.key_type.clear();  // a habit, not a key: its findings are of kind "check"
    rule.key_kind.reset();
    return;
  }
  if (!rule.tokens.empty()) {
    // A token rule is judged by names, not by a regex.
    if (!rule.regex.empty() || !rule.keywords.empty())
      where.fail(&table, "a token rule has no regex or keywords");
    if (!rule.context &&
        (!rule.names.empty() || !rule.kind_names.empty() || !rule.generic_names.empty())) {
      where.fail(&table, "names need a 'context'");
    }
    if (rule.base64 && !rule.context)
      where.fail(&table, "'base64' needs a 'context': only values under a known name are decoded");
    if (rule.name.empty()) rule.name = rule.id;
    return;
  }
  if (rule.context || rule.base64) where.fail(&table, "'context' and 'base64' go with 'token'");
  if (rule.regex.empty() && rule.path_regex.empty()) {
    where.fail(&table, "a rule needs a non-empty 'regex' or 'path' (or a 'token')");
  }
  rule.compiled_regex =
      rule.regex.empty() ? nullptr : std::make_shared<const LazyRegex>(rule.regex);
  if (rule.name.empty()) rule.name = rule.id;
}

/// gitleaks follows [extend] two levels deep: the file, its base, and that
/// base's base; an [extend] below that is ignored (with a note here).
constexpr int kMaxExtendDepth = 2;

void load_document(std::string_view text, const std::string& source, Ruleset& ruleset, int depth);

std::string note_at(const std::string& source, const toml::node& node, const std::string& text) {
  return source + ":" + std::to_string(node.source().begin.line) + ": " + text;
}

/// [extend]: the base's rules load first (a file, or with useDefault the
/// built-in rules, keysweep's default), minus disabledRules.
void load_extended_base(const toml::table& extend, const std::string& source, Ruleset& ruleset,
                        int depth) {
  Where where(source);
  std::string path;
  bool use_default = false;
  std::vector<std::string> disabled;
  for (const auto& [key, value] : extend) {
    if (key == "path") {
      path = get_string(value, key, where);
    } else if (key == "useDefault") {
      auto flag = value.value<bool>();
      if (!flag) where.fail(&value, "'useDefault' must be true or false");
      use_default = *flag;
    } else if (key == "disabledRules") {
      disabled = get_strings(value, key, where);
    } else if (key == "url") {
      ruleset.notes.push_back(
          note_at(source, value, "[extend] url is not honoured (nothing is downloaded)"));
    } else {
      ruleset.notes.push_back(note_at(
          source, value, "unknown [extend] field '" + std::string(key.str()) + "' ignored"));
    }
  }
  if (!path.empty() && use_default)
    where.fail(&extend, "[extend] takes 'path' or 'useDefault', not both");
  if (depth >= kMaxExtendDepth) {
    if (!path.empty() || use_default) {
      ruleset.notes.push_back(note_at(source, extend,
                                      "[extend] ignored: gitleaks extends at most " +
                                          std::to_string(kMaxExtendDepth) + " levels deep"));
    }
    return;
  }
  auto is_builtin = [](const Rule& rule) { return rule.source.starts_with("builtin:"); };
  std::size_t base_begin = ruleset.rules.size();
  if (use_default) {
    // The default of keysweep is its built-in rules; gitleaks' own default is
    // not built in (load its gitleaks.toml with --rules).
    if (std::none_of(ruleset.rules.begin(), ruleset.rules.end(), is_builtin))
      load_builtin_rules(ruleset);
    base_begin = 0;
  } else if (!path.empty()) {
    // Relative to the file that extends; else, as gitleaks reads it, to the working directory.
    std::filesystem::path base = std::filesystem::path(source).parent_path() / path;
    std::error_code missing;
    if (std::filesystem::path(path).is_absolute() || !std::filesystem::exists(base, missing))
      base = path;
    std::string text;
    try {
      text = read_input_file(base.string(), kConfigFileLimit, "rule file");
    } catch (const UsageError& error) {
      where.fail(&extend, std::string("[extend] path: ") + error.what());
    }
    load_document(text, base.lexically_normal().string(), ruleset, depth + 1);
  }
  for (const std::string& id : disabled) {
    auto it = std::find_if(
        ruleset.rules.begin() + std::ptrdiff_t(base_begin), ruleset.rules.end(),
        [&](const Rule& rule) { return rule.id == id && (!use_default || is_builtin(rule)); });
    if (it == ruleset.rules.end()) {
      ruleset.notes.push_back(
          note_at(source, extend, "disabledRules: no rule '" + id + "' in the extended rules"));
    } else {
      ruleset.rules.erase(it);
    }
  }
}

void load_document(std::string_view text, const std::string& source, Ruleset& ruleset, int depth) {
  toml::table document;
  try {
    document = toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << source << ':' << error.source().begin.line << ':' << error.source().begin.column
            << ": invalid TOML: " << error.description();
    throw UsageError(message.str());
  }
  Where where(source);
  if (document.contains("allowlist") && document.contains("allowlists")) {
    where.fail(document.get("allowlists"),
               "[allowlist] and [[allowlists]] cannot be used together");
  }
  const toml::table* extend = nullptr;
  if (const toml::node* node = document.get("extend")) {
    extend = node->as_table();
    if (extend == nullptr) where.fail(node, "[extend] must be a table");
    load_extended_base(*extend, source, ruleset, depth);
  }
  std::vector<Allowlist> allowlists;
  std::vector<std::vector<std::string>> target_rules;  // per allowlist
  for (const auto& [key, value] : document) {
    if (key == "title" || key == "description" || key == "minVersion") {
      get_string(value, key, where);  // minVersion: any version of gitleaks' format loads
    } else if (key == "allowlist" || key == "allowlists") {
      parse_allowlists(value, key, where, allowlists, &target_rules);
    } else if (key == "contexts") {
      const toml::array* array = value.as_array();
      if (array == nullptr)
        where.fail(&value, "'contexts' must be an array of tables ([[contexts]])");
      for (const toml::node& element : *array) {
        auto context = parse_context(element, source);
        for (const auto& known : ruleset.contexts) {
          if (known->id == context->id)
            Where(source).fail(&element, "duplicate context id '" + context->id + "'");
        }
        ruleset.contexts.push_back(std::move(context));
      }
    } else if (key != "rules" && key != "extend") {
      ruleset.notes.push_back(note_at(
          source, value, "unknown top-level field '" + std::string(key.str()) + "' ignored"));
    }
  }
  const toml::node* rules_node = document.get("rules");
  const toml::array* rules = rules_node ? rules_node->as_array() : nullptr;
  if (rules_node != nullptr && rules == nullptr)
    where.fail(rules_node, "'rules' must be an array of tables ([[rules]])");
  if (rules != nullptr) {
    for (const toml::node& element : *rules) {
      const toml::table* table = element.as_table();
      if (table == nullptr) where.fail(&element, "'rules' must be an array of tables ([[rules]])");
      std::string id = (*table)["id"].value<std::string>().value_or("");
      if (id.empty()) where.fail(table, "a rule needs a non-empty string 'id'");
      auto known = std::find_if(ruleset.rules.begin(), ruleset.rules.end(),
                                [&](const Rule& rule) { return rule.id == id; });
      if (extend != nullptr && known != ruleset.rules.end()) {
        // gitleaks' [extend]: a rule of the base is refined, field by field.
        known->source = source;
        parse_rule_fields(*table, *known, ruleset, ruleset.notes);
        finish_rule(*known, *table);
        continue;
      }
      Rule rule;
      rule.id = id;
      rule.source = source;
      parse_rule_fields(*table, rule, ruleset, ruleset.notes);
      if (extend != nullptr && known == ruleset.rules.end() && rule.regex.empty() &&
          rule.path_regex.empty() && rule.tokens.empty() && rule.check == RuleCheck::none) {
        // It refines a rule of gitleaks' default that keysweep's default lacks.
        ruleset.notes.push_back(note_at(
            source, *table, "rule '" + id + "' refines no rule of the extended rules: ignored"));
        continue;
      }
      finish_rule(rule, *table);
      if (known == ruleset.rules.end()) {
        ruleset.rules.push_back(std::move(rule));
      } else {
        // As in gitleaks, the later rule wins; keysweep says so.
        ruleset.notes.push_back(
            note_at(source, *table,
                    "rule '" + id + "' replaces the rule of that id from " + known->source));
        *known = std::move(rule);
      }
    }
  }
  for (std::size_t i = 0; i < allowlists.size(); ++i) {
    if (target_rules[i].empty()) {
      ruleset.global_allowlists.push_back(std::move(allowlists[i]));
      continue;
    }
    for (const std::string& id : target_rules[i]) {
      auto target = std::find_if(ruleset.rules.begin(), ruleset.rules.end(),
                                 [&](const Rule& rule) { return rule.id == id; });
      if (target == ruleset.rules.end()) {
        where.fail(document.get(document.contains("allowlist") ? "allowlist" : "allowlists"),
                   "[[allowlists]] targetRules: no rule '" + id + "'");
      }
      target->allowlists.push_back(allowlists[i]);
    }
  }
  for (const Rule& rule : ruleset.rules) {
    for (const RequiredRule& required : rule.required) {
      bool exists = std::any_of(ruleset.rules.begin(), ruleset.rules.end(),
                                [&](const Rule& other) { return other.id == required.id; });
      if (!exists)
        Where(rule.source, rule.id)
            .fail(nullptr, "[[rules.required]] names no rule '" + required.id + "'");
    }
  }
}

}  // namespace

void load_rules_text(std::string_view text, const std::string& source, Ruleset& ruleset) {
  load_document(text, source, ruleset, 0);
}

bool is_rule_file_name(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  return extension == ".toml" || extension == ".yml" || extension == ".yaml";
}

/// TOML (keysweep, gitleaks) or YAML (Nosey Parker, Kingfisher), by the file's extension.
void load_rules_file(const std::string& path, Ruleset& ruleset) {
  std::string text = read_input_file(path, kConfigFileLimit, "rule file");
  std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".yml" || extension == ".yaml") {
    load_yaml_rules_text(text, path, ruleset);
  } else {
    load_rules_text(text, path, ruleset);
  }
}

void load_rules_path(const std::string& path, Ruleset& ruleset) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, error)) {
      if (is_rule_file_name(entry.path())) files.push_back(entry.path());
    }
    if (error) throw UsageError(path + ": cannot read rule directory: " + error.message());
    if (files.empty())
      throw UsageError(path + ": no *.toml, *.yml or *.yaml rule files in this directory");
    std::sort(files.begin(), files.end());
    // Not recursive: a rule file entry that is not a regular file is refused by name.
    for (const fs::path& file : files) load_rules_file(file.string(), ruleset);
    return;
  }
  load_rules_file(path, ruleset);
}

void print_rule_notes(Ruleset& ruleset) {
  for (const std::string& note : ruleset.notes) {
    std::fprintf(stderr, "keysweep: warning: %s\n", terminal_safe(note).c_str());
  }
  ruleset.notes.clear();
}

void load_builtin_rules(Ruleset& ruleset) {
  for (const auto& [name, text] : builtin_rule_files()) {
    load_rules_text(text, "builtin:" + std::string(name), ruleset);
  }
}

void validate_rules(const Ruleset& ruleset) {
  for (const Rule& rule : ruleset.rules) validate_rule(rule);
}

void validate_rule(const Rule& rule) {
  if (!rule.compiled_regex) return;  // a check, a token rule, a path-only rule: no regex
  std::string prefix = rule.source;
  if (rule.regex_line > 0) prefix.append(":").append(std::to_string(rule.regex_line));
  prefix.append(": rule '").append(rule.id).append("': ");
  if (std::string error = rule.compiled_regex->validate(); !error.empty()) {
    throw UsageError(prefix + "regex does not compile: " + error);
  }
  int groups = rule.compiled_regex->get().NumberOfCapturingGroups();
  if (rule.secret_group > groups) {
    throw UsageError(prefix + "secretGroup " + std::to_string(rule.secret_group) +
                     " is larger than the regex's " + std::to_string(groups) + " capture groups");
  }
}

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
    case Severity::critical:
      return "critical";
  }
  return "high";
}

const char* rule_check_name(RuleCheck check) {
  switch (check) {
    case RuleCheck::none:
      return nullptr;
    case RuleCheck::repository:
      return "repository";
    case RuleCheck::inventory:
      return "inventory";
  }
  return nullptr;
}

}  // namespace keysweep
