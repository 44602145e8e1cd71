// JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure):
// one test case per finding, failed when the finding fails the scan
// (--fail-on), and one passing case when there is nothing to report.
#include <cstdio>

#include "reporter.h"
#include "util/escape.h"

namespace keysweep {
namespace {

/// Character data and attribute values for any bytes. XML 1.0 cannot carry
/// most control characters even as references, nor bytes that are not UTF-8:
/// those are written as the text `\xNN` (as in the text report), so the
/// document stays well-formed whatever a path or a line holds.
std::string xml_escape(std::string_view text) {
  std::string out;
  char32_t code_point;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t length = utf8_sequence(text, at, code_point);
    bool allowed =
        length != 0 &&
        (code_point >= 0x20 || code_point == '\t' || code_point == '\n' || code_point == '\r') &&
        code_point != 0xfffe && code_point != 0xffff;
    if (!allowed) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(text[at]));
      out += escaped;
      at += 1;
      continue;
    }
    switch (code_point) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      // Kept as references: a parser would turn a raw CR in an attribute into a space.
      case '\r':
        out += "&#13;";
        break;
      default:
        out.append(text, at, length);
    }
    at += length;
  }
  return out;
}

}  // namespace

void write_junit_report(const Report& report, const ReportOptions& options, std::ostream& out) {
  const std::vector<Finding>& findings = report.result.findings;
  const std::size_t failures = failing_count(report);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", report.result.stats.seconds);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"keysweep\" tests=\"" << std::max<std::size_t>(findings.size(), 1)
      << "\" failures=\"" << failures << "\" time=\"" << seconds << "\">\n"
      << "  <testsuite name=\"keysweep: leaked Datadog credentials\" tests=\""
      << std::max<std::size_t>(findings.size(), 1) << "\" failures=\"" << failures
      << "\" errors=\"0\" time=\"" << seconds << "\">\n";
  if (findings.empty()) {
    out << "    <testcase classname=\"keysweep\" name=\"no leaked credentials\"/>\n";
  }
  for (const Finding& finding : findings) {
    std::string location = finding.path + ":" + std::to_string(finding.start.line) + ":" +
                           std::to_string(finding.start.column);
    std::string summary =
        finding.rule->name + " (" + kind_label(finding) + ") " + shown_secret(finding, options);
    if (finding.liveness) summary += ", " + std::string(liveness_name(finding.liveness->status));
    out << "    <testcase classname=\"" << xml_escape(finding.path) << "\" name=\""
        << xml_escape(finding.rule->id + " at " + location) << "\" file=\""
        << xml_escape(finding.path) << "\" line=\"" << finding.start.line << "\">\n";
    std::string details =
        location + ": " + summary + "\n" + render_snippet(finding.snippet, options) + "\n";
    if (finding.git && !finding.git->commit.empty()) {
      details += "commit " + finding.git->commit + " by " + finding.git->author + " on " +
                 finding.git->date + "\n";
    }
    if (finding.liveness) details += "liveness: " + describe_liveness(*finding.liveness) + "\n";
    if (finding.client_token_in_browser_code)
      details += std::string("note: ") + kClientTokenNote + "\n";
    if (finding.fails) {
      out << "      <failure type=\"" << xml_escape(finding.rule->id) << "\" message=\""
          << xml_escape(summary) << "\">"
          << xml_escape(details + "\nWhat to do: " + finding_remediation(finding) + "\n" +
                        kFalsePositiveHelp + "\n")
          << "</failure>\n";
    } else {
      out << "      <system-out>" << xml_escape(details) << "</system-out>\n";
    }
    out << "    </testcase>\n";
  }
  // Warnings (what was not scanned) where CI systems show a suite's stderr.
  if (!report.warnings.empty()) {
    std::string text;
    for (const std::string& warning : report.warnings) text += "warning: " + warning + "\n";
    out << "    <system-err>" << xml_escape(text) << "</system-err>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace keysweep
