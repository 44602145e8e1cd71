// Text is for people: one block per finding, a summary line, colour only on a terminal.
// Everything that comes from the scanned bytes (paths, lines, commit authors,
// inventory names) goes through terminal_safe: it may hold escape sequences.
#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "reporter.h"
#include "util/escape.h"

namespace keysweep {
namespace {

struct Palette {
  const char* path = "";
  const char* rule = "";
  const char* secret = "";
  const char* dim = "";
  const char* reset = "";
};

Palette palette_for(bool color) {
  if (!color) return {};
  return {"\x1b[1;35m", "\x1b[1;31m", "\x1b[33m", "\x1b[2m", "\x1b[0m"};
}

std::string megabytes(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1e6);
  return text;
}

std::string plural(std::size_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

void write_finding(const Finding& finding, const ReportOptions& options, const Palette& colors,
                   std::ostream& out) {
  out << colors.path << terminal_safe(finding.path) << ':' << finding.start.line << ':'
      << finding.start.column << colors.reset << ": " << colors.rule << finding.rule->id
      << colors.reset << " (" << kind_label(finding) << ", "
      << severity_name(finding.rule->severity) << ") " << colors.secret
      << terminal_safe(shown_secret(finding, options)) << colors.reset;
  if (finding.encoding == Encoding::base64) out << " encoding: base64";
  if (finding.checksum != ChecksumStatus::not_applicable) {
    out << " checksum: " << checksum_name(finding.checksum);
  }
  out << '\n';
  if (finding.liveness)
    out << "    liveness: " << terminal_safe(describe_liveness(*finding.liveness)) << '\n';
  if (finding.client_token_in_browser_code) out << "    note: " << kClientTokenNote << '\n';
  if (!finding.repository.empty())
    out << "    repository: " << terminal_safe(finding.repository) << '\n';
  if (finding.git && !finding.git->commit.empty()) {
    out << "    commit " << finding.git->commit.substr(0, 12) << " by "
        << terminal_safe(finding.git->author) << " <" << terminal_safe(finding.git->email)
        << "> on " << finding.git->date << '\n';
  }
  // Findings from an audit datastore have no snippet: it would show the secret.
  if (finding.snippet.text.empty() && !finding.repository.empty()) return;
  out << colors.dim << "    " << terminal_safe(render_snippet(finding.snippet, options))
      << colors.reset << '\n';
}

/// What matters first: a key known to work, then critical and high severity, then the rest.
int group_rank(const SecretGroup& group, const std::vector<Finding>& findings) {
  int rank = 2;
  for (std::size_t index : group.findings) {
    const Finding& finding = findings[index];
    if (finding.liveness && finding.liveness->status == Liveness::live) return 0;
    if (finding.rule->severity >= Severity::high) rank = 1;
  }
  return rank;
}

/// Places a secret was found at: a lint result on the same span is the same place.
std::size_t place_count(const SecretGroup& group, const std::vector<Finding>& findings) {
  std::set<std::tuple<std::string_view, std::uint32_t, std::uint32_t, std::string_view>> places;
  for (std::size_t index : group.findings) {
    const Finding& finding = findings[index];
    places.emplace(finding.path, finding.start.line, finding.start.column,
                   finding.git ? std::string_view(finding.git->commit) : std::string_view());
  }
  return places.size();
}

/// Each rule's advice once per secret, for the findings that fail the scan.
void write_advice(const Report& report, const SecretGroup& group, std::ostream& out) {
  const std::vector<Finding>& findings = report.result.findings;
  std::set<std::string> written;
  for (std::size_t index : group.findings) {
    const Finding& finding = findings[index];
    if (!finding.fails) continue;
    std::string advice = finding_remediation(finding);
    if (written.insert(advice).second) out << "    What to do: " << terminal_safe(advice) << '\n';
  }
}

}  // namespace

void write_text_report(const Report& report, const ReportOptions& options, std::ostream& out) {
  const Palette colors = palette_for(options.color);
  const std::vector<Finding>& findings = report.result.findings;
  std::vector<SecretGroup> groups = group_by_secret(findings);
  std::stable_sort(groups.begin(), groups.end(), [&](const SecretGroup& a, const SecretGroup& b) {
    return group_rank(a, findings) < group_rank(b, findings);
  });
  for (const SecretGroup& group : groups) {
    const Finding& first = findings[group.findings.front()];
    if (std::size_t places = place_count(group, findings); places > 1) {
      out << colors.secret << terminal_safe(shown_secret(first, options)) << colors.reset << " ("
          << kind_label(first) << ") found in " << places << " places:\n";
    }
    for (std::size_t index : group.findings) write_finding(findings[index], options, colors, out);
    write_advice(report, group, out);
  }
  std::size_t failing = failing_count(report);
  if (options.quiet) {
    if (failing > 0) out << '\n' << kFalsePositiveHelp << '\n';
    return;
  }
  const ScanStats& stats = report.result.stats;
  std::size_t count = report.result.findings.size();
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f s", stats.seconds);
  std::string scanned = plural(stats.files_scanned, report.result.repository ? "blob" : "file") +
                        ", " + megabytes(stats.bytes_scanned) + ", " + seconds;
  if (stats.commits > 0) scanned += ", " + plural(stats.commits, "commit");
  if (count == 0) {
    out << "No secrets found in " << scanned;
  } else {
    out << plural(count, "finding") << " ("
        << plural(unique_secret_count(report.result.findings), "unique secret") << ") in "
        << scanned;
  }
  if (stats.skipped_binary + stats.skipped_too_large + stats.unreadable > 0) {
    out << "; skipped " << stats.skipped_binary << " binary, " << stats.skipped_too_large
        << " too large, " << stats.unreadable << " unreadable";
  }
  if (stats.left_out > 0) {
    out << "; left out " << plural(stats.left_out, "path")
        << " (--exclude, --gitignore, allowlisted directories)";
  }
  if (report.allowlisted > 0) out << "; " << report.allowlisted << " allowlisted not shown";
  if (report.inline_allowed > 0)
    out << "; " << report.inline_allowed << " allowed inline not shown";
  if (report.baselined > 0) out << "; " << report.baselined << " in the baseline not shown";
  out << '\n';
  if (!report.unused_baseline.empty()) {
    out << report.unused_baseline.size() << " baseline entries are no longer found:\n";
    for (const BaselineEntry& entry : report.unused_baseline) {
      out << "    " << terminal_safe(entry.path) << ": " << entry.rule_id << " (secret sha256 "
          << entry.secret_sha256.substr(0, 12) << "…)\n";
    }
  }
  if (!report.warnings.empty()) {
    out << "warnings:\n";
    for (const std::string& warning : report.warnings)
      out << "    " << terminal_safe(warning) << '\n';
  }
  if (failing > 0) out << '\n' << kFalsePositiveHelp << '\n';
}

}  // namespace keysweep
