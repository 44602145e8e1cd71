// One self-contained HTML page for a security team reading an audit: totals
// by key type and liveness, when keys entered history, repositories ranked by
// live and unknown keys, and every secret (redacted) with its places. No
// external assets and no network (a Content-Security-Policy forbids both);
// the page reads without JavaScript, and an inline script only adds sorting
// and filtering. Every value from a repository is HTML-escaped.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "keysweep_config.h"
#include "reporter.h"

namespace keysweep {
namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
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
        out += "&#39;";
        break;
      default:
        // Control characters would not render; they are shown as a replacement character.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

/// What a secret's findings say of it, most urgent first; "unchecked" without an inventory.
std::string liveness_of(const std::vector<Finding>& findings, const SecretGroup& group) {
  static const Liveness kUrgency[] = {Liveness::live, Liveness::unknown, Liveness::invalid,
                                      Liveness::expired, Liveness::revoked};
  for (Liveness liveness : kUrgency) {
    for (std::size_t i : group.findings) {
      if (findings[i].liveness && findings[i].liveness->status == liveness)
        return liveness_name(liveness);
    }
  }
  return "unchecked";
}

constexpr const char* kLivenessColumns[] = {"live",    "unknown", "unchecked",
                                            "invalid", "expired", "revoked"};

constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1d1d1f}
h1{margin-bottom:0}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f6}table.sortable th{cursor:pointer}
.live{color:#b00020;font-weight:bold}.unknown,.unchecked{color:#8a5a00}.revoked,.expired,.invalid{color:#555}
code{font-family:ui-monospace,monospace}ul.places{margin:0;padding-left:1.2em}
#filter{padding:4px;width:24em}svg text{font:11px sans-serif}
)css";

// Sorting by a column's text (numbers as numbers) and filtering rows by any text they hold.
constexpr const char* kScript = R"js(
(function () {
  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('th').forEach(function (header, column) {
      header.addEventListener('click', function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var descending = header.dataset.order !== 'desc';
        header.dataset.order = descending ? 'desc' : 'asc';
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent, y = b.cells[column].textContent;
          var nx = parseFloat(x), ny = parseFloat(y);
          var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var filter = document.getElementById('filter');
  if (filter) {
    filter.hidden = false;
    filter.addEventListener('input', function () {
      var needle = filter.value.toLowerCase();
      document.querySelectorAll('#secrets tbody tr').forEach(function (row) {
        row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  }
  document.body.setAttribute('data-ready', 'yes');
})();
)js";

/// A horizontal bar chart of labelled counts, as inline SVG.
void write_bars(const std::vector<std::pair<std::string, std::size_t>>& bars, const char* label,
                std::ostream& out) {
  std::size_t most = 1;
  for (const auto& bar : bars) most = std::max(most, bar.second);
  const int row = 18, width = 600, left = 140;
  out << "<svg role=\"img\" aria-label=\"" << label << "\" width=\"" << width << "\" height=\""
      << row * bars.size() + 4 << "\">";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    int length = int((width - left - 40) * bars[i].second / most);
    out << "<text x=\"0\" y=\"" << row * i + 13 << "\">" << html_escape(bars[i].first) << "</text>"
        << "<rect x=\"" << left << "\" y=\"" << row * i + 2 << "\" width=\"" << std::max(length, 1)
        << "\" height=\"" << row - 4 << "\" fill=\"#5b6ee1\"/>"
        << "<text x=\"" << left + length + 4 << "\" y=\"" << row * i + 13 << "\">" << bars[i].second
        << "</text>";
  }
  out << "</svg>\n";
}

}  // namespace

void write_html_report(const Report& report, const ReportOptions& options,
                       const std::vector<std::string>& repositories, std::ostream& out) {
  // Secrets are counted and grouped; the repository checks' findings (a
  // habit, with no key of their own) have a table of their own.
  std::vector<Finding> findings, checks;
  for (const Finding& finding : report.result.findings) {
    (finding.kind == FindingKind::check ? checks : findings).push_back(finding);
  }
  std::vector<SecretGroup> groups = group_by_secret(findings);

  // Per secret: liveness, first commit date, repositories.
  std::map<std::string, std::map<std::string, std::size_t>>
      by_type;                                  // key type -> liveness -> secrets
  std::map<std::string, std::size_t> by_month;  // "YYYY-MM" of the earliest date
  std::map<std::string, std::map<std::string, std::set<std::string>>>
      by_repository;  // -> liveness -> secrets
  for (const std::string& name : repositories) by_repository[name];
  std::vector<std::string> group_liveness;
  for (const SecretGroup& group : groups) {
    std::string liveness = liveness_of(findings, group);
    group_liveness.push_back(liveness);
    ++by_type[findings[group.findings.front()].key_type][liveness];
    std::string earliest;
    for (std::size_t i : group.findings) {
      const Finding& finding = findings[i];
      if (finding.git && finding.git->date.size() >= 7 &&
          (earliest.empty() || finding.git->date < earliest)) {
        earliest = finding.git->date;
      }
      by_repository[finding.repository][liveness].insert(group.secret_sha256);
    }
    if (!earliest.empty()) ++by_month[earliest.substr(0, 7)];
  }

  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; script-src 'unsafe-inline'\">\n"
      << "<title>keysweep audit</title><style>" << kStyle << "</style></head>\n<body>\n"
      << "<h1>keysweep audit</h1>\n<p>" << by_repository.size() << " repositories, "
      << groups.size() << " secrets at " << findings.size() << " places, " << checks.size()
      << " findings of the repository checks. Secrets are redacted; keysweep " << KEYSWEEP_VERSION
      << ".</p>\n";

  out << "<section id=\"totals\"><h2>Secrets by key type and liveness</h2>\n"
      << "<table class=\"sortable\"><thead><tr><th>Key type</th>";
  for (const char* column : kLivenessColumns) out << "<th>" << column << "</th>";
  out << "<th>total</th></tr></thead><tbody>\n";
  std::vector<std::pair<std::string, std::size_t>> type_bars;
  for (const auto& [key_type, counts] : by_type) {
    std::size_t total = 0;
    out << "<tr><td>" << html_escape(key_type) << "</td>";
    for (const char* column : kLivenessColumns) {
      auto found = counts.find(column);
      std::size_t count = found == counts.end() ? 0 : found->second;
      total += count;
      out << "<td class=\"" << column << "\">" << count << "</td>";
    }
    out << "<td>" << total << "</td></tr>\n";
    type_bars.emplace_back(key_type, total);
  }
  out << "</tbody></table>\n";
  write_bars(type_bars, "secrets by key type", out);
  out << "</section>\n";

  out << "<section id=\"timeline\"><h2>When keys entered history</h2>\n"
      << "<p>Secrets by the month of the earliest commit that holds them.</p>\n";
  if (by_month.empty())
    out << "<p>No commit dates.</p>\n";
  else
    write_bars({by_month.begin(), by_month.end()}, "secrets by month", out);
  out << "</section>\n";

  out << "<section id=\"repositories\"><h2>Repositories by live and unknown keys</h2>\n"
      << "<table class=\"sortable\"><thead><tr><th>Repository</th><th>live</th><th>unknown</th>"
         "<th>unchecked</th><th>all secrets</th></tr></thead><tbody>\n";
  struct Rank {
    std::string name;
    std::size_t live = 0, unknown = 0, unchecked = 0, all = 0;
  };
  std::vector<Rank> ranks;
  for (const auto& [name, by_liveness] : by_repository) {
    Rank rank{name};
    std::set<std::string> all;
    for (const auto& [liveness, secrets] : by_liveness) {
      all.insert(secrets.begin(), secrets.end());
      if (liveness == "live") rank.live = secrets.size();
      if (liveness == "unknown") rank.unknown = secrets.size();
      if (liveness == "unchecked") rank.unchecked = secrets.size();
    }
    rank.all = all.size();
    ranks.push_back(rank);
  }
  std::stable_sort(ranks.begin(), ranks.end(), [](const Rank& a, const Rank& b) {
    return std::tie(b.live, b.unknown, b.unchecked, b.all) <
           std::tie(a.live, a.unknown, a.unchecked, a.all);
  });
  for (const Rank& rank : ranks) {
    out << "<tr><td>" << html_escape(rank.name) << "</td><td class=\"live\">" << rank.live
        << "</td><td class=\"unknown\">" << rank.unknown << "</td><td class=\"unchecked\">"
        << rank.unchecked << "</td><td>" << rank.all << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";

  out << "<section id=\"secrets\"><h2>Secrets</h2>\n"
      << "<input id=\"filter\" type=\"search\" placeholder=\"Filter: repository, path, author, key "
         "type...\" hidden>\n"
      << "<table class=\"sortable\"><thead><tr><th>Key type</th><th>Rule</th><th>Secret</th>"
         "<th>Liveness</th><th>Places</th><th>First commit "
         "date</th><th>Where</th></tr></thead><tbody>\n";
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const SecretGroup& group = groups[g];
    const Finding& first = findings[group.findings.front()];
    std::string earliest;
    for (std::size_t i : group.findings) {
      if (findings[i].git && !findings[i].git->date.empty() &&
          (earliest.empty() || findings[i].git->date < earliest)) {
        earliest = findings[i].git->date;
      }
    }
    out << "<tr><td>" << html_escape(first.key_type) << "</td><td>" << html_escape(first.rule->id)
        << "</td><td><code>" << html_escape(shown_secret(first, options))
        << "</code><br><small>sha256 " << html_escape(group.secret_sha256.substr(0, 16))
        << "</small></td><td class=\"" << group_liveness[g] << "\">" << group_liveness[g]
        << "</td><td>" << group.findings.size() << "</td><td>" << html_escape(earliest)
        << "</td><td><ul class=\"places\">";
    for (std::size_t i : group.findings) {
      const Finding& finding = findings[i];
      out << "<li>";
      if (!finding.repository.empty()) out << "<b>" << html_escape(finding.repository) << "</b> ";
      out << "<code>" << html_escape(finding.path) << ":" << finding.start.line << "</code>";
      if (finding.git && !finding.git->commit.empty()) {
        out << " commit <code>" << html_escape(finding.git->commit.substr(0, 12)) << "</code> by "
            << html_escape(finding.git->author) << " &lt;" << html_escape(finding.git->email)
            << "&gt; on " << html_escape(finding.git->date);
      }
      out << "</li>";
    }
    out << "</ul></td></tr>\n";
  }
  out << "</tbody></table></section>\n";

  out << "<section id=\"checks\"><h2>Repository checks</h2>\n";
  if (checks.empty()) {
    out << "<p>No repository check found anything.</p>\n";
  } else {
    out << "<table class=\"sortable\"><thead><tr><th>Check</th><th>Severity</th><th>Where</th>"
           "<th>Evidence</th><th>Commit</th></tr></thead><tbody>\n";
    for (const Finding& finding : checks) {
      out << "<tr><td>" << html_escape(finding.rule->id) << "</td><td>"
          << severity_name(finding.rule->severity) << "</td><td>";
      if (!finding.repository.empty()) out << "<b>" << html_escape(finding.repository) << "</b> ";
      out << "<code>" << html_escape(finding.path) << ":" << finding.start.line
          << "</code></td><td><code>" << html_escape(shown_secret(finding, options))
          << "</code></td><td>";
      if (finding.git && !finding.git->commit.empty()) {
        out << "<code>" << html_escape(finding.git->commit.substr(0, 12)) << "</code> by "
            << html_escape(finding.git->author) << " on " << html_escape(finding.git->date);
      }
      out << "</td></tr>\n";
    }
    out << "</tbody></table>\n";
  }
  out << "</section>\n<script>" << kScript << "</script>\n</body></html>\n";
}

}  // namespace keysweep
