#pragma once
// Reporters are sinks: they take finished findings and print them, and never
// change them. Redaction happens here, at the boundary, unless the user asked
// for --show-secrets.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "findings/scan_result.h"
#include "inventory/inventory_audit.h"
#include "policy/baseline.h"

namespace keysweep {

/// A finished scan as the policy stage marked it: reporters print it, read
/// Finding::fails, and decide nothing.
struct Report {
  const ScanResult& result;
  const Ruleset& ruleset;
  std::vector<std::string> warnings;
  std::size_t baselined = 0;                   // findings the baseline held back
  std::vector<BaselineEntry> unused_baseline;  // with --report-unused-baseline
  // fail_on_client_tokens in .keysweep.toml: a client token in browser code
  // that may not fail is shown as a note (SARIF level).
  bool fail_on_client_tokens = false;
  std::size_t allowlisted = 0;     // findings an allowlist set aside
  std::size_t inline_allowed = 0;  // findings an inline allow comment set aside
};

/// The findings the policy stage marked as failing the scan.
std::size_t failing_count(const Report& report);

/// Why a client token in browser code is a note, and what to do about it.
inline constexpr const char* kClientTokenNote =
    "a RUM client token in browser code is public by design; to keep others from "
    "sending data with it, put an authenticated proxy in front of Datadog's intake: "
    "https://docs.datadoghq.com/real_user_monitoring/guide/proxy-rum-data/";

struct ReportOptions {
  bool show_secrets = false;
  bool color = false;  // text only: ANSI colours, for a terminal
  bool quiet = false;  // text only: findings and what to do, no summary or warnings
};

enum class ReportFormat { text, json, sarif, junit };

void write_report(ReportFormat format, const Report& report, const ReportOptions& options,
                  std::ostream& out);

void write_text_report(const Report& report, const ReportOptions& options, std::ostream& out);
void write_json_report(const Report& report, const ReportOptions& options, std::ostream& out);
void write_sarif_report(const Report& report, const ReportOptions& options, std::ostream& out);
void write_junit_report(const Report& report, const ReportOptions& options, std::ostream& out);
/// One self-contained HTML page for an audit (`keysweep report --format html`):
/// no external assets, every value escaped, secrets redacted.
void write_html_report(const Report& report, const ReportOptions& options,
                       const std::vector<std::string>& repositories, std::ostream& out);

/// What to do about a finding. The rule files are the one source of this
/// text: the finding's rule's remediation, or, for a rule without one (an
/// imported or user rule), generic advice that names no vendor. Datadog links
/// point at the site named near the key (DD_SITE=datadoghq.eu: app.datadoghq.eu)
/// or where --verify found it working; app.datadoghq.com otherwise.
std::string finding_remediation(const Finding& finding);

/// The Datadog site a finding's links should name ("" for the default).
std::string finding_site(const Finding& finding);

/// The web app's host of a Datadog site: app.datadoghq.eu for datadoghq.eu,
/// us3.datadoghq.com for us3.datadoghq.com.
std::string datadog_app_host(const std::string& site);

/// How to allow a false positive, once per report.
inline constexpr const char* kFalsePositiveHelp =
    "Not a secret? Put `keysweep:allow` in a comment on that line, or accept the current "
    "findings with `keysweep baseline create -o .keysweep-baseline.json` and scan with --baseline.";

/// An `inventory audit` report.
struct AuditReport {
  const std::vector<AuditFinding>& findings;
  const Ruleset& ruleset;
  std::string store;
  std::string now;
  std::size_t keys_audited = 0;
};

/// text, json or sarif (junit is not offered for audits).
void write_audit_report(ReportFormat format, const AuditReport& report, std::ostream& out);

/// A report format by name (text, json, sarif, junit); nullopt for others.
std::optional<ReportFormat> parse_report_format(std::string_view name);

/// What a finding is, for people: its key type, or "check" for a lint finding.
std::string kind_label(const Finding& finding);

/// The first 4 characters (fewer for a short secret) and an ellipsis.
std::string redact(std::string_view secret);

/// The secret as the user asked to see it.
std::string shown_secret(const Finding& finding, const ReportOptions& options);

/// The snippet line with every secret on it redacted (unless show_secrets).
std::string render_snippet(const Snippet& snippet, const ReportOptions& options);

/// "valid", "invalid", or "" when the key type has no checksum.
const char* checksum_name(ChecksumStatus status);

/// One line for people: "live (hash); inventory: api_key 'ci' id ..., owner ...".
std::string describe_liveness(const LivenessLabel& label);

/// Number of distinct secrets among the findings.
std::size_t unique_secret_count(const std::vector<Finding>& findings);

/// The findings of one secret, in report order: a reviewer sees one secret once, with its places.
struct SecretGroup {
  std::string secret_sha256;
  std::vector<std::size_t> findings;  // indices into ScanResult::findings
};

/// Groups by secret, in order of each secret's first finding.
std::vector<SecretGroup> group_by_secret(const std::vector<Finding>& findings);

}  // namespace keysweep
