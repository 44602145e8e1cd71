// One JSON document with every field of every finding, for programs.
#include <nlohmann/json.hpp>

#include "keysweep_config.h"
#include "reporter.h"

namespace keysweep {

void write_json_report(const Report& report, const ReportOptions& options, std::ostream& out) {
  using nlohmann::ordered_json;
  ordered_json findings = ordered_json::array();
  for (const Finding& finding : report.result.findings) {
    ordered_json entry = {
        {"rule_id", finding.rule->id},
        {"rule_name", finding.rule->name},
        {"key_type", finding.rule->key_type},
        {"severity", severity_name(finding.rule->severity)},
        {"path", finding.path},
        {"line", finding.start.line},
        {"column", finding.start.column},
        {"end_line", finding.end.line},
        {"end_column", finding.end.column},
        {"secret", shown_secret(finding, options)},
        {"secret_redacted", !options.show_secrets},
        {"secret_sha256", finding.secret_sha256},
        {"checksum", finding.checksum == ChecksumStatus::not_applicable
                         ? ordered_json(nullptr)
                         : ordered_json(checksum_name(finding.checksum))},
        {"snippet", render_snippet(finding.snippet, options)},
    };
    findings.push_back(std::move(entry));
  }
  const ScanStats& stats = report.result.stats;
  ordered_json document = {
      {"tool", {{"name", "keysweep"}, {"version", KEYSWEEP_VERSION}}},
      {"root", report.result.root},
      {"findings", std::move(findings)},
      {"summary",
       {{"findings", report.result.findings.size()},
        {"unique_secrets", unique_secret_count(report.result.findings)},
        {"files_scanned", stats.files_scanned},
        {"bytes_scanned", stats.bytes_scanned},
        {"skipped_binary", stats.skipped_binary},
        {"skipped_too_large", stats.skipped_too_large},
        {"unreadable", stats.unreadable},
        {"seconds", stats.seconds},
        {"warnings", report.warnings}}},
  };
  // Invalid UTF-8 in a snippet is replaced rather than failing the whole report.
  out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace keysweep
