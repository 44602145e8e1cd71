#pragma once
// Repository lint: the credential-management checks of rules/lint.toml that
// `keysweep scan` runs on each file (check = "repository"). Each check looks
// at the path first, so a file no check concerns costs a few comparisons.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "findings/finding.h"

namespace keysweep {

/// One problem a check found: the byte span to point at, and whether that
/// span is a credential value (redacted in reports) or plain evidence.
struct LintHit {
  std::string check;  // the rule id in rules/lint.toml
  std::size_t offset = 0;
  std::size_t length = 0;
  bool sensitive = false;
};

/// Which side of a web application a file is: server code by its extension;
/// browser code by its extension and a mention of Datadog's browser SDK
/// (a .js or .ts file may as well be Node code).
enum class CodeSide { server, browser, neither };
CodeSide code_side(std::string_view path, std::string_view content);

/// Whether a check that needs no secret finding (terraform state and
/// source, Agent configuration, environment files) looks at a file of this
/// name: in a history audit, only blobs that sat at such a name are linted
/// apart from those with secrets. It must accept every path those checks read.
bool check_reads_name(std::string_view name);

/// Runs every repository check on one file. `secrets` are the secret
/// findings already made in this file (two checks judge where a key is).
void lint_file(std::string_view path, std::string_view content, std::span<const Finding> secrets,
               std::vector<LintHit>& out);

}  // namespace keysweep
