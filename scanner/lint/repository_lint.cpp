#include "lint/repository_lint.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "lint/yaml_outline.h"
#include "util/text.h"

namespace keysweep {
namespace {

std::string_view basename(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view extension(std::string_view path) {
  std::string_view name = basename(path);
  std::size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot);
}

bool one_of(std::string_view value, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), value) != options.end();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

/// Calls `visit(line, offset)` for each line of `content`.
template <typename Visit>
void for_each_line(std::string_view content, Visit visit) {
  std::size_t at = 0;
  while (at < content.size()) {
    std::size_t end = content.find('\n', at);
    if (end == std::string_view::npos) end = content.size();
    visit(content.substr(at, end - at), at);
    at = end + 1;
  }
}

/// A value that stands for nothing yet: empty, a reference, a placeholder.
bool is_placeholder(std::string_view value) {
  value = trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty() || value == "~" || value == "null") return true;
  if (value.starts_with("${") || value.starts_with("$(") || value.starts_with("<") ||
      value.starts_with("ENC[")) {
    return true;
  }
  std::string lower = ascii_lowercase(std::string(value));
  for (std::string_view word :
       {"changeme", "change_me", "your_", "your-", "xxxx", "replace", "placeholder"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

/// The value span of `name = value` / `name: value` after `at` in `line`.
std::pair<std::size_t, std::size_t> value_span(std::string_view line, std::size_t after) {
  std::size_t start = after;
  while (start < line.size() &&
         (line[start] == ' ' || line[start] == '\t' || line[start] == '=' || line[start] == ':'))
    ++start;
  std::size_t end = line.size();
  if (std::size_t comment = line.find(" #", start); comment != std::string_view::npos)
    end = comment;
  while (end > start && std::isspace(static_cast<unsigned char>(line[end - 1]))) --end;
  if (end > start + 1 && (line[start] == '"' || line[start] == '\'') &&
      line[end - 1] == line[start]) {
    ++start;
    --end;
  }
  return {start, end - start};
}

/// Terraform blocks `<keyword> "<label>" ... {` and where each body ends.
struct Block {
  std::size_t header;      // offset of the keyword
  std::size_t header_end;  // offset of the opening brace
  std::string_view body;
  std::size_t body_offset;
};

std::vector<Block> terraform_blocks(std::string_view content, std::string_view keyword,
                                    std::string_view label) {
  std::vector<Block> blocks;
  std::string quoted(1, '"');
  quoted.append(label);
  quoted.push_back('"');
  for (std::size_t at = content.find(keyword); at != std::string_view::npos;
       at = content.find(keyword, at + 1)) {
    if (at > 0 && !std::isspace(static_cast<unsigned char>(content[at - 1]))) continue;
    std::size_t brace = content.find('{', at);
    std::size_t newline = content.find('\n', at);
    if (brace == std::string_view::npos || (newline != std::string_view::npos && newline < brace))
      continue;
    std::string_view header = content.substr(at + keyword.size(), brace - at - keyword.size());
    std::size_t label_at = header.find_first_not_of(" \t");
    if (label_at == std::string_view::npos || header.substr(label_at, quoted.size()) != quoted)
      continue;
    int depth = 0;
    bool in_string = false;
    std::size_t end = brace;
    for (; end < content.size(); ++end) {
      char c = content[end];
      if (c == '"' && content[end - 1] != '\\') in_string = !in_string;
      if (in_string) continue;
      if (c == '{') ++depth;
      if (c == '}' && --depth == 0) break;
    }
    blocks.push_back({at, brace, content.substr(brace + 1, end - brace - 1), brace + 1});
  }
  return blocks;
}

/// Where findings' secrets start in `content`, asked for in file order: the
/// first occurrence on each finding's line. Lines are walked once for all of
/// them, and a secret is looked for on its own line only (an encoded one is
/// not there as text).
class SecretOffsets {
 public:
  explicit SecretOffsets(std::string_view content) : content_(content) {}

  std::optional<std::size_t> of(const Finding& finding) {
    if (finding.start.line < line_) return std::nullopt;  // out of order: not asked for
    while (line_ < finding.start.line && line_start_ < content_.size()) {
      std::size_t newline = content_.find('\n', line_start_);
      line_start_ = newline == std::string_view::npos ? content_.size() : newline + 1;
      ++line_;
    }
    std::size_t line_end = content_.find('\n', line_start_);
    std::string_view line =
        content_.substr(line_start_, line_end == std::string_view::npos ? std::string_view::npos
                                                                        : line_end - line_start_);
    std::size_t at = line.find(finding.secret);
    if (at == std::string_view::npos) return std::nullopt;
    return line_start_ + at;
  }

 private:
  std::string_view content_;
  std::size_t line_start_ = 0;
  std::uint32_t line_ = 1;
};

std::optional<std::size_t> secret_offset(std::string_view content, const Finding& finding) {
  return SecretOffsets(content).of(finding);
}

void terraform_state(std::string_view path, std::string_view content,
                     std::span<const Finding> secrets, std::vector<LintHit>& out) {
  std::string_view name = basename(path);
  if (!name.ends_with(".tfstate") && !name.ends_with(".tfstate.backup")) return;
  for (std::string_view type : {"\"datadog_api_key\"", "\"datadog_application_key\""}) {
    if (std::size_t at = content.find(type); at != std::string_view::npos) {
      out.push_back({"terraform-state-committed", at + 1, type.size() - 2, false});
      return;
    }
  }
  if (!secrets.empty()) {
    // A key value without its resource (a data source, an output): point at it.
    if (auto at = secret_offset(content, secrets.front())) {
      out.push_back({"terraform-state-committed", *at, secrets.front().secret.size(), true});
    }
  }
}

void terraform_source(std::string_view path, std::string_view content, std::vector<LintHit>& out) {
  if (extension(path) != ".tf") return;
  for (const Block& block : terraform_blocks(content, "provider", "datadog")) {
    for_each_line(block.body, [&](std::string_view line, std::size_t offset) {
      std::string_view text = trim(line);
      for (std::string_view attribute : {"api_key", "app_key"}) {
        if (!text.starts_with(attribute)) continue;
        std::string_view rest = trim(text.substr(attribute.size()));
        if (!rest.starts_with("=")) continue;
        std::string_view value = trim(rest.substr(1));
        // A literal is a quoted string without interpolation; var.x, local.x,
        // data.x and "${...}" are references.
        if (value.size() < 2 || value.front() != '"' || value.find("${") != std::string_view::npos)
          continue;
        std::size_t start = line.find('"') + 1;
        std::size_t end = line.find('"', start);
        if (end == std::string_view::npos || end == start) continue;
        out.push_back({"terraform-provider-literal-key", block.body_offset + offset + start,
                       end - start, true});
      }
    });
  }
  for (const Block& block : terraform_blocks(content, "resource", "datadog_application_key")) {
    bool scoped = false;
    for_each_line(block.body, [&](std::string_view line, std::size_t) {
      std::string_view text = trim(line);
      if (text.starts_with("scopes") && trim(text.substr(6)).starts_with("=")) scoped = true;
    });
    if (!scoped) {
      out.push_back({"terraform-application-key-unscoped", block.header,
                     block.header_end - block.header, false});
    }
  }
}

bool is_word_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// Whether an image reference names the node Agent (not the Cluster Agent,
/// which may need an application key for the external metrics provider).
/// A Helm template in the reference is judged by what it names:
/// `{{ include "agent.image" . }}`, `.Values.agents.image` are the Agent's,
/// `.Values.clusterAgent.image` is not.
bool names_node_agent(std::string_view image) {
  std::string literal;
  std::vector<std::string_view> templates;
  for (std::size_t at = 0; at < image.size();) {
    std::size_t open = image.find("{{", at);
    if (open == std::string_view::npos) open = image.size();
    literal.append(image.substr(at, open - at));
    if (open == image.size()) break;
    std::size_t close = image.find("}}", open);
    close = close == std::string_view::npos ? image.size() : close;
    templates.push_back(image.substr(open + 2, close - open - 2));
    literal.push_back('*');
    at = std::min(close + 2, image.size());
  }
  std::string_view reference = trim(literal);
  reference = reference.substr(0, reference.find('@'));  // a digest
  std::size_t slash = reference.rfind('/');
  std::string_view repository =
      slash == std::string_view::npos ? reference : reference.substr(slash + 1);
  repository = repository.substr(0, repository.find(':'));  // a tag
  if (!repository.empty() && repository.find('*') == std::string_view::npos) {
    if (repository != "agent" && repository != "docker-dd-agent") return false;
    // Another vendor's `agent` (grafana/agent) is not Datadog's.
    std::string_view registry =
        slash == std::string_view::npos ? std::string_view() : reference.substr(0, slash);
    for (std::size_t at = 0; at <= registry.size();) {
      std::size_t next = std::min(registry.find('/', at), registry.size());
      std::string_view part = registry.substr(at, next - at);
      if (part == "datadog" || part == "datadoghq" || part.starts_with("datadoghq.") ||
          part.ends_with(".datadoghq.com") || part.find('*') != std::string_view::npos) {
        return true;
      }
      at = next + 1;
    }
    return false;
  }
  bool agent = false;
  for (std::string_view expression : templates) {
    std::size_t at = 0;
    while (at < expression.size()) {
      std::size_t end = at;
      while (end < expression.size() &&
             (is_word_character(expression[end]) || expression[end] == '-'))
        ++end;
      std::string word = ascii_lowercase(std::string(expression.substr(at, end - at)));
      if (one_of(word, {"clusteragent", "cluster-agent", "cluster_agent"})) return false;
      if (one_of(word, {"agent", "agents", "nodeagent", "node-agent", "datadog-agent"}))
        agent = true;
      at = end + 1;
    }
  }
  return agent;
}

constexpr std::array<std::string_view, 2> kAppKeyVariables = {"DD_APP_KEY", "DD_APPLICATION_KEY"};

/// Where `text` names an application-key variable as a whole word.
std::optional<std::pair<std::size_t, std::string_view>> app_key_variable(std::string_view text) {
  for (std::string_view variable : kAppKeyVariables) {
    for (std::size_t at = text.find(variable); at != std::string_view::npos;
         at = text.find(variable, at + 1)) {
      std::size_t after = at + variable.size();
      if (at > 0 && is_word_character(text[at - 1])) continue;
      if (after < text.size() && is_word_character(text[after])) continue;
      return std::pair{at, variable};
    }
  }
  return std::nullopt;
}

/// `VAR=` with nothing after it (quotes aside) sets the variable empty.
bool assigns_empty(std::string_view text, std::size_t variable_end) {
  if (variable_end >= text.size() || text[variable_end] != '=') return false;
  std::string_view value = trim(text.substr(variable_end + 1));
  return value.empty() || value == "\"\"" || value == "''";
}

std::string_view scalar_text(std::string_view content, const YamlScalar& scalar) {
  return content.substr(scalar.offset, scalar.length);
}

/// A configured value: not empty by YAML, not a placeholder.
bool holds_value(std::string_view content, const YamlScalar& scalar) {
  return !scalar.empty && !is_placeholder(scalar_text(content, scalar));
}

/// The image line of each mapping that has one (a container, a compose
/// service), and YamlLine::kNone elsewhere.
std::vector<std::size_t> image_lines(const std::vector<YamlLine>& lines) {
  std::vector<std::size_t> image(lines.size(), YamlLine::kNone);
  for (std::size_t index = 0; index < lines.size(); ++index) {
    if (lines[index].key != "image") continue;
    // `- image: x` opens the container; `image: x` belongs to its parent.
    std::size_t owner = lines[index].item ? index : lines[index].parent;
    if (owner != YamlLine::kNone && image[owner] == YamlLine::kNone) image[owner] = index;
  }
  return image;
}

/// An image's reference: its value, or for an image given as a mapping (a
/// Datadog Operator override) its `name` or `repository`.
std::string_view image_reference(std::string_view content, const std::vector<YamlLine>& lines,
                                 std::size_t image) {
  if (!lines[image].value.empty) return scalar_text(content, lines[image].value);
  for (std::size_t child = image + 1; child < lines[image].end; ++child) {
    if (lines[child].parent == image &&
        (lines[child].key == "name" || lines[child].key == "repository")) {
      return scalar_text(content, lines[child].value);
    }
  }
  return {};
}

/// Whether the line that names `variable` leaves it empty: a Kubernetes env
/// entry whose `value:` is empty (and no valueFrom), a compose `VAR=` or
/// `VAR: ""`. An entry with neither is not judged empty: in a Helm template
/// its value may come from an include the outline cannot see.
bool sets_empty(std::string_view content, const std::vector<YamlLine>& lines, std::size_t index,
                std::string_view variable) {
  const YamlLine& line = lines[index];
  std::string_view value = scalar_text(content, line.value);
  if (line.key == variable) return line.value.empty;
  if (line.key.empty()) return value.starts_with(variable) && assigns_empty(value, variable.size());
  if (line.key != "name" || value != variable) return false;
  std::size_t entry = line.item ? index : line.parent;
  if (entry == YamlLine::kNone) return false;
  bool empty_value = false;
  bool value_from = false;
  auto judge = [&](const YamlLine& field) {
    if (field.key == "value") empty_value = field.value.empty;
    if (field.key == "valueFrom") value_from = true;
  };
  judge(lines[entry]);
  for (std::size_t child = entry + 1; child < lines[entry].end; ++child) {
    if (lines[child].parent == entry) judge(lines[child]);
  }
  return empty_value && !value_from;
}

/// Kubernetes containers (in manifests and Helm templates) and compose
/// services: each is judged by its own image, wherever in its block the
/// image, name and env come.
void container_application_keys(std::string_view content, std::vector<LintHit>& out) {
  if (!app_key_variable(content)) return;  // most YAML: no outline needed
  std::vector<YamlLine> lines = outline_yaml(content);
  std::vector<std::size_t> image = image_lines(lines);
  // The nearest enclosing mapping with an image; parents come before children.
  std::vector<std::size_t> container(lines.size(), YamlLine::kNone);
  std::vector<bool> reported(lines.size(), false);
  for (std::size_t index = 0; index < lines.size(); ++index) {
    std::size_t parent = lines[index].parent;
    container[index] = image[index] != YamlLine::kNone ? index
                       : parent != YamlLine::kNone     ? container[parent]
                                                       : YamlLine::kNone;
    std::size_t owner = container[index];
    if (owner == YamlLine::kNone || reported[owner]) continue;
    std::string_view text = content.substr(lines[index].offset, lines[index].content_end);
    auto found = app_key_variable(text);
    if (!found || sets_empty(content, lines, index, found->second)) continue;
    if (!names_node_agent(image_reference(content, lines, image[owner]))) continue;
    reported[owner] = true;
    out.push_back({"agent-config-application-key", lines[index].offset + found->first,
                   found->second.size(), false});
  }
}

/// Dockerfiles: each stage by its own base image, or by the stage it is built FROM.
void dockerfile_application_keys(std::string_view content, std::vector<LintHit>& out) {
  if (!app_key_variable(content)) return;
  std::vector<std::pair<std::string, bool>> stages;  // alias, built on the Agent
  bool agent_stage = false;
  bool reported = false;
  for_each_line(content, [&](std::string_view line, std::size_t offset) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') return;
    if (text.size() > 5 && ascii_lowercase(std::string(text.substr(0, 5))) == "from ") {
      std::vector<std::string_view> words;
      for (std::size_t at = 5; at < text.size();) {
        std::size_t end = std::min(text.find_first_of(" \t", at), text.size());
        if (end > at) words.push_back(text.substr(at, end - at));
        at = end + 1;
      }
      std::erase_if(words,
                    [](std::string_view word) { return word.starts_with("--"); });  // --platform=
      std::string_view base = words.empty() ? std::string_view() : words[0];
      agent_stage = names_node_agent(base);
      for (const auto& [alias, agent] : stages) {
        if (alias == ascii_lowercase(std::string(base))) agent_stage = agent;
      }
      if (words.size() >= 3 && ascii_lowercase(std::string(words[1])) == "as") {
        stages.emplace_back(ascii_lowercase(std::string(words[2])), agent_stage);
      }
      reported = false;
      return;
    }
    if (!agent_stage || reported) return;
    auto found = app_key_variable(line);
    if (!found || assigns_empty(line, found->first + found->second.size())) return;
    reported = true;
    out.push_back(
        {"agent-config-application-key", offset + found->first, found->second.size(), false});
  });
}

/// An application key where YAML says `key:` holds one, under `parent` (a
/// top-level key) or at the top level.
void yaml_application_key(std::string_view content, std::string_view key, std::string_view parent,
                          std::vector<LintHit>& out) {
  if (content.find(key) == std::string_view::npos) return;
  std::vector<YamlLine> lines = outline_yaml(content);
  for (const YamlLine& line : lines) {
    if (line.key != key || line.item || line.block_text) continue;
    bool placed = parent.empty()
                      ? line.parent == YamlLine::kNone
                      : line.parent != YamlLine::kNone && lines[line.parent].key == parent &&
                            lines[line.parent].parent == YamlLine::kNone;
    if (!placed || !holds_value(content, line.value)) continue;
    out.push_back({"agent-config-application-key", line.value.offset, line.value.length, true});
  }
}

/// datadog.yaml, Helm values, Dockerfiles, and Kubernetes / compose YAML of
/// the Agent image. Values are read as YAML reads them: `appKey:  # note` is empty.
void agent_application_key(std::string_view path, std::string_view content,
                           std::vector<LintHit>& out) {
  std::string_view name = basename(path);
  std::string_view ext = extension(path);
  if (name == "datadog.yaml" || name == "datadog.yml") {
    return yaml_application_key(content, "app_key", "", out);
  }
  if (name == "Dockerfile" || name.starts_with("Dockerfile.") || ext == ".dockerfile") {
    return dockerfile_application_keys(content, out);
  }
  if (ext != ".yaml" && ext != ".yml") return;
  // Helm: datadog.appKey, a direct child of the top-level datadog key.
  if (name.starts_with("values")) return yaml_application_key(content, "appKey", "datadog", out);
  container_application_keys(content, out);
}

void env_file(std::string_view path, std::string_view content, std::vector<LintHit>& out) {
  std::string_view name = basename(path);
  if (name != ".env" && !name.starts_with(".env.")) return;
  // Files meant to be committed, with empty values to fill in.
  for (std::string_view suffix : {".example", ".sample", ".template", ".dist", ".defaults"}) {
    if (name.ends_with(suffix)) return;
  }
  for_each_line(content, [&](std::string_view line, std::size_t offset) {
    std::string_view text = line;
    std::size_t lead = text.find_first_not_of(" \t");
    if (lead == std::string_view::npos) return;
    if (text.substr(lead).starts_with("export ")) lead = text.find_first_not_of(" \t", lead + 7);
    std::size_t equals = text.find('=', lead);
    if (equals == std::string_view::npos) return;
    std::string name_part(trim(text.substr(lead, equals - lead)));
    bool datadog = name_part.starts_with("DD_") || name_part.starts_with("DATADOG_");
    bool credential = false;
    for (std::string_view kind :
         {"API_KEY", "APP_KEY", "APPLICATION_KEY", "ACCESS_TOKEN", "CLIENT_TOKEN"}) {
      if (name_part.ends_with(kind)) credential = true;
    }
    if (!datadog || !credential) return;
    auto [start, length] = value_span(line, equals + 1);
    if (length == 0 || is_placeholder(line.substr(start, length))) return;
    out.push_back({"env-file-datadog-credentials", offset + start, length, true});
  });
}

/// Where a found key sits says how it is used: a client token in server code,
/// an API key in browser code next to the browser SDK.
void key_placement(std::string_view path, std::string_view content,
                   std::span<const Finding> secrets, std::vector<LintHit>& out) {
  CodeSide side = code_side(path, content);
  bool server = side == CodeSide::server;
  bool browser = side == CodeSide::browser;
  if (!server && !browser) return;
  SecretOffsets offsets(content);
  for (const Finding& finding : secrets) {
    const char* check =
        server && finding.key_kind == KeyKind::rum_client_token ? "rum-client-token-server-side"
        : browser && finding.key_kind == KeyKind::api_key       ? "api-key-in-browser-code"
                                                                : nullptr;
    if (!check) continue;
    if (auto at = offsets.of(finding)) out.push_back({check, *at, finding.secret.size(), true});
  }
}

}  // namespace

CodeSide code_side(std::string_view path, std::string_view content) {
  std::string_view ext = extension(path);
  if (one_of(ext, {".py", ".go", ".java", ".rb", ".php", ".cs", ".rs", ".kt", ".scala", ".ex",
                   ".exs"})) {
    return CodeSide::server;
  }
  bool browser = one_of(ext, {".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".vue", ".svelte",
                              ".html", ".htm"}) &&
                 (content.find("datadogRum") != std::string_view::npos ||
                  content.find("datadogLogs") != std::string_view::npos ||
                  content.find("DD_RUM") != std::string_view::npos ||
                  content.find("@datadog/browser") != std::string_view::npos);
  return browser ? CodeSide::browser : CodeSide::neither;
}

bool check_reads_name(std::string_view name) {
  name = basename(name);
  std::string_view ext = extension(name);
  return name.ends_with(".tfstate") || name.ends_with(".tfstate.backup") || ext == ".tf" ||
         ext == ".yaml" || ext == ".yml" || name == "Dockerfile" ||
         name.starts_with("Dockerfile.") || ext == ".dockerfile" || name == ".env" ||
         name.starts_with(".env.");
}

void lint_file(std::string_view path, std::string_view content, std::span<const Finding> secrets,
               std::vector<LintHit>& out) {
  terraform_state(path, content, secrets, out);
  terraform_source(path, content, out);
  agent_application_key(path, content, out);
  env_file(path, content, out);
  key_placement(path, content, secrets, out);
}

}  // namespace keysweep
