#include "rules/rule_loader.h"

#include <re2/re2.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "rules/builtin_rules.h"
#include "util/error.h"
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
    if (node != nullptr && node->source().begin.line != 0) message << ':' << node->source().begin.line;
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

Allowlist parse_allowlist(const toml::node& node, const Where& where) {
  const toml::table* table = node.as_table();
  if (table == nullptr) where.fail(&node, "an allowlist must be a table");
  Allowlist allowlist;
  for (const auto& [key, value] : *table) {
    if (key == "description") {
      allowlist.description = get_string(value, key, where);
    } else if (key == "condition") {
      std::string condition = ascii_lowercase(get_string(value, key, where));
      if (condition != "or" && condition != "and") where.fail(&value, "condition must be OR or AND");
      allowlist.require_all = condition == "and";
    } else if (key == "regexTarget") {
      std::string target = get_string(value, key, where);
      if (target == "secret") {
        allowlist.regex_target = AllowTarget::secret;
      } else if (target == "match") {
        allowlist.regex_target = AllowTarget::match;
      } else if (target == "line") {
        allowlist.regex_target = AllowTarget::line;
      } else {
        where.fail(&value, "regexTarget must be secret, match or line");
      }
    } else if (key == "regexes") {
      for (const std::string& pattern : get_strings(value, key, where)) {
        allowlist.regexes.push_back(compile_regex(pattern, "allowlist regex", &value, where));
      }
    } else if (key == "paths") {
      for (const std::string& pattern : get_strings(value, key, where)) {
        allowlist.paths.push_back(compile_regex(pattern, "allowlist path", &value, where));
      }
    } else if (key == "stopwords") {
      for (const std::string& word : get_strings(value, key, where)) {
        allowlist.stopwords.push_back(ascii_lowercase(word));
      }
    } else if (key == "commits") {
      allowlist.commits = get_strings(value, key, where);
    } else {
      where.fail(&value, "unknown allowlist field '" + std::string(key.str()) + "'");
    }
  }
  return allowlist;
}

/// Accepts both gitleaks forms: a single [allowlist] table and [[allowlists]].
void parse_allowlists(const toml::node& node, std::string_view key, const Where& where,
                      std::vector<Allowlist>& out) {
  if (key == "allowlist") {
    out.push_back(parse_allowlist(node, where));
    return;
  }
  const toml::array* array = node.as_array();
  if (array == nullptr) where.fail(&node, "'allowlists' must be an array of tables");
  for (const toml::node& element : *array) out.push_back(parse_allowlist(element, where));
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

Severity parse_severity(const toml::node& node, const Where& where) {
  std::string name = ascii_lowercase(get_string(node, "severity", where));
  if (name == "low" || name == "info" || name == "note") return Severity::low;
  if (name == "medium" || name == "warning") return Severity::medium;
  if (name == "high" || name == "error") return Severity::high;
  if (name == "critical") return Severity::critical;
  where.fail(&node, "severity must be low, medium, high or critical, not '" + name + "'");
}

Rule parse_rule(const toml::table& table, const std::string& source) {
  Rule rule;
  rule.source = source;
  if (auto id = table["id"].value<std::string>()) rule.id = *id;
  Where where(source, rule.id);
  if (rule.id.empty()) where.fail(&table, "a rule needs a non-empty string 'id'");

  const toml::node* regex_node = nullptr;
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
      rule.tags = get_strings(value, key, where);
    } else if (key == "check") {
      rule.check = get_string(value, key, where);
      if (rule.check != "repository" && rule.check != "inventory") {
        where.fail(&value, "'check' must be repository or inventory");
      }
    } else if (key == "regex") {
      rule.regex = get_string(value, key, where);
      regex_node = &value;
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
      rule.min_entropy = *entropy;
    } else if (key == "path") {
      rule.path_regex = get_string(value, key, where);
      rule.compiled_path = compile_regex(rule.path_regex, "path", &value, where);
    } else if (key == "allowlist" || key == "allowlists") {
      parse_allowlists(value, key, where, rule.allowlists);
    } else if (key == "examples") {
      rule.examples = parse_examples(value, key, where);
    } else if (key == "negative_examples") {
      rule.negative_examples = parse_examples(value, key, where);
    } else if (key == "required") {
      where.fail(&value, "composite rules ([[rules.required]]) are not supported");
    } else {
      where.fail(&value, "unknown field '" + std::string(key.str()) + "'");
    }
  }
  if (!rule.check.empty()) {
    // A lint check is code; only its metadata and examples are data.
    if (!rule.regex.empty() || !rule.keywords.empty()) where.fail(&table, "a check has no regex or keywords");
    if (rule.name.empty()) rule.name = rule.id;
    if (rule.key_type == "generic") rule.key_type = "practice";  // a habit, not a key type
    return rule;
  }
  if (rule.regex.empty()) where.fail(&table, "a rule needs a non-empty 'regex'");
  rule.compiled_regex = std::make_shared<const LazyRegex>(rule.regex);
  rule.regex_line = int(regex_node->source().begin.line);
  if (rule.name.empty()) rule.name = rule.id;
  return rule;
}

}  // namespace

void load_rules_text(std::string_view text, const std::string& source, Ruleset& ruleset) {
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
  std::set<std::string> known_ids;
  for (const Rule& rule : ruleset.rules) known_ids.insert(rule.id);

  for (const auto& [key, value] : document) {
    if (key == "title" || key == "description") {
      get_string(value, key, where);
    } else if (key == "allowlist" || key == "allowlists") {
      parse_allowlists(value, key, where, ruleset.global_allowlists);
    } else if (key == "extend") {
      where.fail(&value, "[extend] is not supported: list the rule files to load with --rules");
    } else if (key != "rules") {
      where.fail(&value, "unknown top-level field '" + std::string(key.str()) + "'");
    }
  }
  const toml::node* rules_node = document.get("rules");
  if (rules_node == nullptr) where.fail(nullptr, "no [[rules]] in this file");
  const toml::array* rules = rules_node->as_array();
  if (rules == nullptr) where.fail(rules_node, "'rules' must be an array of tables ([[rules]])");
  for (const toml::node& element : *rules) {
    const toml::table* table = element.as_table();
    if (table == nullptr) where.fail(&element, "'rules' must be an array of tables ([[rules]])");
    Rule rule = parse_rule(*table, source);
    if (!known_ids.insert(rule.id).second) {
      Where(source, rule.id).fail(table, "duplicate rule id (already loaded)");
    }
    ruleset.rules.push_back(std::move(rule));
  }
}

void load_rules_path(const std::string& path, Ruleset& ruleset) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, error)) {
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
    }
    if (error) throw UsageError(path + ": cannot read rule directory: " + error.message());
    if (files.empty()) throw UsageError(path + ": no *.toml rule files in this directory");
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) load_rules_path(file.string(), ruleset);
    return;
  }
  std::optional<std::string> text = read_text_file(path);
  if (!text) throw UsageError(path + ": cannot open rule file: " + std::strerror(errno));
  load_rules_text(*text, path, ruleset);
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
  if (!rule.check.empty()) return;  // no regex to compile
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

}  // namespace keysweep
