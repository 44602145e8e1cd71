#include "config/project_config.h"

#include <re2/re2.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "rules/rule_loader.h"
#include "util/error.h"
#include "util/paths.h"
#include "util/text.h"

namespace keysweep {
namespace {

namespace fs = std::filesystem;

std::string at(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line);
}

std::vector<std::string> string_list(const toml::node& node, const std::string& path,
                                     const std::string& key) {
  const toml::array* array = node.as_array();
  if (!array) throw UsageError(at(path, node) + ": '" + key + "' must be a list of strings");
  std::vector<std::string> values;
  for (const toml::node& item : *array) {
    const auto* text = item.as_string();
    if (!text) throw UsageError(at(path, item) + ": '" + key + "' must be a list of strings");
    values.push_back(text->get());
  }
  return values;
}

std::string string_value(const toml::node& node, const std::string& path, const std::string& key) {
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* number = node.as_integer()) return std::to_string(number->get());
  throw UsageError(at(path, node) + ": '" + key + "' must be a string");
}

std::string resolve(const std::string& config_path, const std::string& relative) {
  fs::path value(relative);
  if (value.is_absolute()) return relative;
  return (fs::path(config_path).parent_path() / value).lexically_normal().string();
}

}  // namespace

std::string ProjectConfig::directory() const {
  if (path.empty()) return "";
  std::error_code error;
  return fs::absolute(path, error).lexically_normal().parent_path().string();
}

std::string find_project_config(const std::string& start) {
  std::error_code error;
  fs::path directory = fs::absolute(start.empty() ? "." : start, error);
  if (!fs::is_directory(directory, error)) directory = directory.parent_path();
  for (; !directory.empty(); directory = directory.parent_path()) {
    fs::path candidate = directory / kConfigFileName;
    if (fs::is_regular_file(candidate, error)) return candidate.string();
    if (fs::exists(directory / ".git", error) || directory == directory.root_path()) break;
  }
  return "";
}

ProjectConfig load_project_config(const std::string& path) {
  toml::table table;
  std::string text = read_input_file(path, kConfigFileLimit, "config file");
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    throw UsageError(path + ":" + std::to_string(error.source().begin.line) + ": " +
                     std::string(error.description()));
  }
  ProjectConfig config;
  config.path = path;
  for (const auto& [key_name, node] : table) {
    const std::string key(key_name.str());
    if (key == "rules") {
      for (const std::string& file : string_list(node, path, key))
        config.rule_files.push_back(resolve(path, file));
    } else if (key == "disabled_rules") {
      config.disabled_rules = string_list(node, path, key);
    } else if (key == "max_file_size") {
      config.max_file_size = string_value(node, path, key);
    } else if (key == "fail_on") {
      std::string value = string_value(node, path, key);
      config.fail_on = parse_fail_on(value);
      if (!config.fail_on)
        throw UsageError(at(path, node) + ": fail_on '" + value +
                         "' is not one of live, unknown, any");
    } else if (key == "baseline") {
      config.baseline = resolve(path, string_value(node, path, key));
    } else if (key == "strict") {
      const auto* flag = node.as_boolean();
      if (!flag) throw UsageError(at(path, node) + ": 'strict' must be true or false");
      config.strict = flag->get();
    } else if (key == "inventory") {
      config.inventory = resolve(path, string_value(node, path, key));
    } else if (key == "fail_on_client_tokens") {
      const auto* flag = node.as_boolean();
      if (!flag)
        throw UsageError(at(path, node) + ": 'fail_on_client_tokens' must be true or false");
      config.fail_on_client_tokens = flag->get();
    } else if (key == "audit") {
      const toml::table* audit = node.as_table();
      if (!audit) throw UsageError(at(path, node) + ": 'audit' must be a table");
      for (const auto& [inner_name, inner_node] : *audit) {
        const std::string inner_key(inner_name.str());
        const toml::node& inner = inner_node;  // clang 14 cannot capture a structured binding
        auto days = [&]() {
          const auto* number = inner.as_integer();
          if (!number || number->get() < 1 || number->get() > 100000) {
            throw UsageError(at(path, inner) + ": 'audit." + inner_key +
                             "' must be a whole number of days");
          }
          return int(number->get());
        };
        if (inner_key == "unused_days") {
          config.audit.unused_days = days();
        } else if (inner_key == "rotation_days") {
          config.audit.rotation_days = days();
        } else if (inner_key == "max_token_days") {
          config.audit.max_token_days = days();
        } else if (inner_key == "name_pattern") {
          std::string pattern = string_value(inner, path, "audit.name_pattern");
          re2::RE2 compiled(pattern, re2::RE2::Quiet);
          if (!compiled.ok())
            throw UsageError(at(path, inner) + ": audit.name_pattern: " + compiled.error());
          config.audit.name_pattern = pattern;
        } else {
          throw UsageError(
              at(path, inner) + ": unknown key 'audit." + inner_key +
              "' (audit takes unused_days, rotation_days, max_token_days, name_pattern)");
        }
      }
    } else if (key == "allowlist") {
      const toml::table* allowlist = node.as_table();
      if (!allowlist) throw UsageError(at(path, node) + ": 'allowlist' must be a table");
      for (const auto& [inner_name, inner] : *allowlist) {
        const std::string inner_key(inner_name.str());
        if (inner_key == "paths") {
          config.allow_paths = string_list(inner, path, "allowlist.paths");
        } else if (inner_key == "regexes") {
          config.allow_regexes = string_list(inner, path, "allowlist.regexes");
          for (const std::string& regex : config.allow_regexes) {
            re2::RE2 compiled(regex, re2::RE2::Quiet);
            if (!compiled.ok()) {
              throw UsageError(at(path, inner) + ": allowlist.regexes: '" + regex +
                               "': " + compiled.error());
            }
          }
        } else if (inner_key == "stopwords") {
          config.allow_stopwords = string_list(inner, path, "allowlist.stopwords");
        } else {
          throw UsageError(at(path, inner) + ": unknown key 'allowlist." + inner_key +
                           "' (allowlist takes paths, regexes, stopwords)");
        }
      }
    } else {
      throw UsageError(at(path, node) + ": unknown key '" + key +
                       "' (known: rules, disabled_rules, allowlist, audit, max_file_size, fail_on, "
                       "baseline, strict, fail_on_client_tokens, inventory)");
    }
  }
  return config;
}

void apply_project_config(const ProjectConfig& config, Ruleset& ruleset) {
  for (const std::string& id : config.disabled_rules) {
    auto it = std::find_if(ruleset.rules.begin(), ruleset.rules.end(),
                           [&](const Rule& rule) { return rule.id == id; });
    if (it == ruleset.rules.end()) {
      throw UsageError(config.path + ": disabled_rules: no rule has the id '" + id + "'");
    }
    ruleset.rules.erase(it);
  }
  if (config.allow_paths.empty() && config.allow_regexes.empty() && config.allow_stopwords.empty())
    return;
  Allowlist allowlist;
  allowlist.description = "allowlist of " + config.path;
  for (const std::string& glob : config.allow_paths) {
    allowlist.paths.push_back(std::make_shared<re2::RE2>(glob_to_regex(glob)));
  }
  for (const std::string& regex : config.allow_regexes)
    allowlist.regexes.push_back(std::make_shared<re2::RE2>(regex));
  for (const std::string& stopword : config.allow_stopwords)
    allowlist.stopwords.push_back(ascii_lowercase(stopword));
  ruleset.global_allowlists.push_back(std::move(allowlist));
}

ProjectConfig choose_project_config(const std::string& explicit_path, bool no_config,
                                    const std::string& start) {
  if (no_config) {
    if (!explicit_path.empty()) throw UsageError("choose one of --config and --no-config");
    return {};
  }
  if (!explicit_path.empty()) return load_project_config(explicit_path);
  std::string found = find_project_config(start);
  return found.empty() ? ProjectConfig{} : load_project_config(found);
}

Ruleset load_configured_ruleset(const ProjectConfig& config,
                                const std::vector<std::string>& extra_rule_paths) {
  Ruleset ruleset;
  load_builtin_rules(ruleset);
  for (const std::string& path : config.rule_files) load_rules_path(path, ruleset);
  for (const std::string& path : extra_rule_paths) load_rules_path(path, ruleset);
  print_rule_notes(ruleset);  // what an imported rule file asks that keysweep does not honour
  apply_project_config(config, ruleset);
  return ruleset;
}

}  // namespace keysweep
