// One JSON document with every field of every finding, for programs.
#include <nlohmann/json.hpp>

#include "json_members.h"
#include "keysweep_config.h"
#include "util/escape.h"

namespace keysweep {

void write_json_report(const Report& report, const ReportOptions& options, std::ostream& out) {
  using nlohmann::ordered_json;
  ordered_json findings = ordered_json::array();
  for (const Finding& finding : report.result.findings) {
    ordered_json entry = {
        {"rule_id", finding.rule->id},
        {"rule_name", finding.rule->name},
        {"kind", finding.kind == FindingKind::check ? "check" : "secret"},
        {"key_type", finding.kind == FindingKind::check ? ordered_json(nullptr)
                                                        : ordered_json(finding.key_type)},
        {"severity", severity_name(finding.rule->severity)},
        {"path", finding.path},
        {"line", finding.start.line},
        {"column", finding.start.column},
        {"end_line", finding.end.line},
        {"end_column", finding.end.column},
        {"secret", shown_secret(finding, options)},
        {"secret_redacted", !options.show_secrets && finding.redact},
        {"secret_sha256", finding.secret_sha256},
        {"checksum", finding.checksum == ChecksumStatus::not_applicable
                         ? ordered_json(nullptr)
                         : ordered_json(checksum_name(finding.checksum))},
        {"encoding",
         finding.encoding == Encoding::base64 ? ordered_json("base64") : ordered_json(nullptr)},
        {"snippet", render_snippet(finding.snippet, options)},
    };
    if (!is_valid_utf8(finding.path)) entry["path_bytes"] = base64(finding.path);
    if (finding.liveness) entry.update(liveness_members(*finding.liveness, false));
    entry["fails"] = finding.fails;
    if (finding.client_token_in_browser_code) entry["note"] = kClientTokenNote;
    if (!finding.repository.empty()) entry["repository"] = finding.repository;
    if (finding.git) {
      entry["blob"] = finding.git->blob;
      entry["commit"] = text_or_null(finding.git->commit);
      entry["author"] = text_or_null(finding.git->author);
      entry["email"] = text_or_null(finding.git->email);
      entry["date"] = text_or_null(finding.git->date);
    }
    findings.push_back(std::move(entry));
  }
  ordered_json secrets = ordered_json::array();
  for (const SecretGroup& group : group_by_secret(report.result.findings)) {
    const Finding& first = report.result.findings[group.findings.front()];
    secrets.push_back(
        {{"secret_sha256", group.secret_sha256},
         {"secret", shown_secret(first, options)},
         {"rule_id", first.rule->id},
         {"kind", first.kind == FindingKind::check ? "check" : "secret"},
         {"key_type",
          first.kind == FindingKind::check ? ordered_json(nullptr) : ordered_json(first.key_type)},
         {"findings", group.findings}});
  }
  const ScanStats& stats = report.result.stats;
  ordered_json document = {
      {"tool", {{"name", "keysweep"}, {"version", KEYSWEEP_VERSION}}},
      {"root", report.result.root},
      {"findings", std::move(findings)},
      {"secrets", std::move(secrets)},
      {"summary",
       {{"findings", report.result.findings.size()},
        {"unique_secrets", unique_secret_count(report.result.findings)},
        {"files_scanned", stats.files_scanned},
        {"bytes_scanned", stats.bytes_scanned},
        {"skipped_binary", stats.skipped_binary},
        {"skipped_too_large", stats.skipped_too_large},
        {"unreadable", stats.unreadable},
        {"left_out", stats.left_out},
        {"commits", stats.commits},
        {"submodules_skipped", stats.submodules},
        {"blobs_known", stats.blobs_known},
        {"seconds", stats.seconds},
        {"failing", failing_count(report)},
        {"allowlisted", report.allowlisted},
        {"inline_allowed", report.inline_allowed},
        {"baselined", report.baselined},
        {"warnings", report.warnings}}},
  };
  if (!is_valid_utf8(report.result.root)) document["root_bytes"] = base64(report.result.root);
  if (!report.unused_baseline.empty()) {
    ordered_json unused = ordered_json::array();
    for (const BaselineEntry& entry : report.unused_baseline) {
      unused.push_back({{"path", entry.path},
                        {"rule_id", entry.rule_id},
                        {"secret_sha256", entry.secret_sha256}});
    }
    document["unused_baseline"] = std::move(unused);
  }
  if (const auto& repository = report.result.repository) {
    document["repository"] = {{"uri", repository->uri},
                              {"revision", repository->revision},
                              {"branch", repository->branch}};
  }
  // Invalid UTF-8 is replaced (U+FFFD) rather than failing the whole report; a
  // path that is not UTF-8 also comes whole, as base64, in path_bytes / root_bytes.
  out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace keysweep
