#include "lint/repository_lint.h"
#include "util/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

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
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
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
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty() || value == "~" || value == "null") return true;
  if (value.starts_with("${") || value.starts_with("$(") || value.starts_with("<") || value.starts_with("ENC[")) {
    return true;
  }
  std::string lower = ascii_lowercase(std::string(value));
  for (std::string_view word : {"changeme", "change_me", "your_", "your-", "xxxx", "replace", "placeholder"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

/// The value span of `name = value` / `name: value` after `at` in `line`.
std::pair<std::size_t, std::size_t> value_span(std::string_view line, std::size_t after) {
  std::size_t start = after;
  while (start < line.size() && (line[start] == ' ' || line[start] == '\t' || line[start] == '=' || line[start] == ':')) ++start;
  std::size_t end = line.size();
  if (std::size_t comment = line.find(" #", start); comment != std::string_view::npos) end = comment;
  while (end > start && std::isspace(static_cast<unsigned char>(line[end - 1]))) --end;
  if (end > start + 1 && (line[start] == '"' || line[start] == '\'') && line[end - 1] == line[start]) {
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

std::vector<Block> terraform_blocks(std::string_view content, std::string_view keyword, std::string_view label) {
  std::vector<Block> blocks;
  std::string quoted(1, '"');
  quoted.append(label);
  quoted.push_back('"');
  for (std::size_t at = content.find(keyword); at != std::string_view::npos; at = content.find(keyword, at + 1)) {
    if (at > 0 && !std::isspace(static_cast<unsigned char>(content[at - 1]))) continue;
    std::size_t brace = content.find('{', at);
    std::size_t newline = content.find('\n', at);
    if (brace == std::string_view::npos || (newline != std::string_view::npos && newline < brace)) continue;
    std::string_view header = content.substr(at + keyword.size(), brace - at - keyword.size());
    std::size_t label_at = header.find_first_not_of(" \t");
    if (label_at == std::string_view::npos || header.substr(label_at, quoted.size()) != quoted) continue;
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

/// Where a finding's secret starts in `content`: the first occurrence on its line.
std::optional<std::size_t> secret_offset(std::string_view content, const Finding& finding) {
  std::size_t line_start = 0;
  for (std::uint32_t line = 1; line < finding.start.line && line_start < content.size(); ++line) {
    line_start = content.find('\n', line_start) + 1;
  }
  std::size_t at = content.find(finding.secret, line_start);
  if (at == std::string_view::npos) return std::nullopt;
  return at;
}

void terraform_state(std::string_view path, std::string_view content, std::span<const Finding> secrets,
                     std::vector<LintHit>& out) {
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
        if (value.size() < 2 || value.front() != '"' || value.find("${") != std::string_view::npos) continue;
        std::size_t start = line.find('"') + 1;
        std::size_t end = line.find('"', start);
        if (end == std::string_view::npos || end == start) continue;
        out.push_back({"terraform-provider-literal-key", block.body_offset + offset + start, end - start, true});
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
      out.push_back({"terraform-application-key-unscoped", block.header, block.header_end - block.header, false});
    }
  }
}

/// The node Agent's image (not the Cluster Agent's, which may need an
/// application key for the external metrics provider).
bool is_agent_image(std::string_view image) {
  for (std::string_view name : {"datadog/agent", "datadoghq/agent", "datadog/docker-dd-agent"}) {
    if (image.find(name) != std::string_view::npos) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 2> kAppKeyVariables = {"DD_APP_KEY", "DD_APPLICATION_KEY"};

/// datadog.yaml, Helm values, Dockerfiles, and Kubernetes / compose YAML of
/// the Agent image.
void agent_application_key(std::string_view path, std::string_view content, std::vector<LintHit>& out) {
  std::string_view name = basename(path);
  std::string_view ext = extension(path);
  const char* check = "agent-config-application-key";
  if (name == "datadog.yaml" || name == "datadog.yml") {
    for_each_line(content, [&](std::string_view line, std::size_t offset) {
      if (!line.starts_with("app_key")) return;  // top-level key only
      std::string_view rest = line.substr(7);
      if (trim(rest).empty() || trim(rest).front() != ':') return;
      auto [start, length] = value_span(line, 7);
      if (length == 0 || is_placeholder(line.substr(start, length))) return;
      out.push_back({check, offset + start, length, true});
    });
    return;
  }
  bool dockerfile = name == "Dockerfile" || name.starts_with("Dockerfile.") || ext == ".dockerfile";
  bool yaml = ext == ".yaml" || ext == ".yml";
  if (!dockerfile && !yaml) return;
  if (yaml && name.starts_with("values")) {
    // Helm: datadog.appKey, a direct child of the top-level datadog key.
    bool in_datadog = false;
    std::size_t child_indent = 0;
    for_each_line(content, [&](std::string_view line, std::size_t offset) {
      if (trim(line).empty() || trim(line).front() == '#') return;
      std::size_t indent = line.find_first_not_of(' ');
      if (indent == 0) {
        in_datadog = line.starts_with("datadog:");
        child_indent = 0;
        return;
      }
      if (!in_datadog) return;
      if (child_indent == 0) child_indent = indent;
      if (indent != child_indent || !line.substr(indent).starts_with("appKey:")) return;
      auto [start, length] = value_span(line, indent + 6);
      if (length == 0 || is_placeholder(line.substr(start, length))) return;
      out.push_back({check, offset + start, length, true});
    });
    return;
  }
  // Dockerfiles, compose and Kubernetes: an application-key variable whose
  // nearest image above it is the Agent's.
  std::string_view image;
  for_each_line(content, [&](std::string_view line, std::size_t offset) {
    std::string_view text = trim(line);
    if (text.starts_with("- ")) text = trim(text.substr(2));
    if (dockerfile && (text.starts_with("FROM ") || text.starts_with("from "))) image = text.substr(5);
    if (yaml && text.starts_with("image:")) image = text.substr(6);
    if (!is_agent_image(image)) return;
    for (std::string_view variable : kAppKeyVariables) {
      std::size_t at = line.find(variable);
      if (at == std::string_view::npos) continue;
      std::size_t after = at + variable.size();
      if (after < line.size() && (std::isalnum(static_cast<unsigned char>(line[after])) || line[after] == '_')) continue;
      out.push_back({check, offset + at, variable.size(), false});
      return;
    }
  });
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
    for (std::string_view kind : {"API_KEY", "APP_KEY", "APPLICATION_KEY", "ACCESS_TOKEN", "CLIENT_TOKEN"}) {
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
void key_placement(std::string_view path, std::string_view content, std::span<const Finding> secrets,
                   std::vector<LintHit>& out) {
  CodeSide side = code_side(path, content);
  bool server = side == CodeSide::server;
  bool browser = side == CodeSide::browser;
  if (!server && !browser) return;
  for (const Finding& finding : secrets) {
    const char* check = server && finding.key_type == "rum_client_token" ? "rum-client-token-server-side"
                        : browser && finding.key_type == "api_key"      ? "api-key-in-browser-code"
                                                                        : nullptr;
    if (!check) continue;
    if (auto at = secret_offset(content, finding)) out.push_back({check, *at, finding.secret.size(), true});
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

void lint_file(std::string_view path, std::string_view content, std::span<const Finding> secrets,
               std::vector<LintHit>& out) {
  terraform_state(path, content, secrets, out);
  terraform_source(path, content, out);
  agent_application_key(path, content, out);
  env_file(path, content, out);
  key_placement(path, content, secrets, out);
}

}  // namespace keysweep
