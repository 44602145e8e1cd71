#include <algorithm>
#include <map>
#include <set>

#include "json_members.h"

namespace keysweep {

void write_report(ReportFormat format, const Report& report, const ReportOptions& options,
                  std::ostream& out) {
  switch (format) {
    case ReportFormat::text:
      return write_text_report(report, options, out);
    case ReportFormat::json:
      return write_json_report(report, options, out);
    case ReportFormat::sarif:
      return write_sarif_report(report, options, out);
    case ReportFormat::junit:
      return write_junit_report(report, options, out);
  }
}

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "text") return ReportFormat::text;
  if (name == "json") return ReportFormat::json;
  if (name == "sarif") return ReportFormat::sarif;
  if (name == "junit") return ReportFormat::junit;
  return std::nullopt;
}

nlohmann::ordered_json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
}

std::string kind_label(const Finding& finding) {
  return finding.kind == FindingKind::check ? "check" : finding.key_type;
}

std::string redact(std::string_view secret) {
  std::size_t keep = std::min<std::size_t>(4, secret.size() / 4);
  // Never cut a UTF-8 sequence in half.
  while (keep > 0 && (static_cast<unsigned char>(secret[keep]) & 0xC0) == 0x80) --keep;
  return std::string(secret.substr(0, keep)) + "…";
}

std::string shown_secret(const Finding& finding, const ReportOptions& options) {
  return options.show_secrets || !finding.redact ? finding.secret : redact(finding.secret);
}

std::string render_snippet(const Snippet& snippet, const ReportOptions& options) {
  std::string text;
  if (snippet.truncated_before) text += "…";
  if (options.show_secrets) {
    text += snippet.text;
  } else {
    auto spans = snippet.secret_spans;
    std::sort(spans.begin(), spans.end());
    // Overlapping spans (a secret and its recurrence, a value cut at the
    // edge) merge: every byte of each is hidden.
    std::vector<std::pair<std::size_t, std::size_t>> merged;
    for (auto [offset, length] : spans) {
      std::size_t end = std::min(offset + length, snippet.text.size());
      if (offset >= end) continue;
      if (!merged.empty() && offset <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, end);
      } else {
        merged.emplace_back(offset, end);
      }
    }
    std::size_t cursor = 0;
    for (auto [offset, end] : merged) {
      text.append(snippet.text, cursor, offset - cursor);
      text += redact(std::string_view(snippet.text).substr(offset, end - offset));
      cursor = end;
    }
    text.append(snippet.text, cursor);
  }
  if (snippet.truncated_after) text += "…";
  return text;
}

const char* checksum_name(ChecksumStatus status) {
  switch (status) {
    case ChecksumStatus::valid:
      return "valid";
    case ChecksumStatus::invalid:
      return "invalid";
    case ChecksumStatus::not_applicable:
      return "";
  }
  return "";
}

std::size_t unique_secret_count(const std::vector<Finding>& findings) {
  std::set<std::string_view> hashes;
  for (const Finding& finding : findings) hashes.insert(finding.secret_sha256);
  return hashes.size();
}

}  // namespace keysweep

namespace keysweep {

std::vector<SecretGroup> group_by_secret(const std::vector<Finding>& findings) {
  std::vector<SecretGroup> groups;
  std::map<std::string_view, std::size_t> group_of;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    auto [entry, inserted] = group_of.try_emplace(findings[i].secret_sha256, groups.size());
    if (inserted) groups.push_back({findings[i].secret_sha256, {}});
    groups[entry->second].findings.push_back(i);
  }
  return groups;
}

nlohmann::ordered_json liveness_members(const LivenessLabel& label, bool camel_case) {
  using nlohmann::ordered_json;
  ordered_json members;
  members["liveness"] = liveness_name(label.status);
  members[camel_case ? "livenessEvidence" : "liveness_evidence"] = label.evidence;
  if (!label.site.empty()) members[camel_case ? "verifiedSite" : "verified_site"] = label.site;
  if (label.inventory) {
    const InventoryEntry& entry = *label.inventory;
    members["inventory"] = {
        {"id", entry.id},
        {"kind", entry.kind},
        {"name", text_or_null(entry.name)},
        {"owner", text_or_null(entry.owner)},
        {camel_case ? "ownerEmail" : "owner_email", text_or_null(entry.owner_email)},
        {camel_case ? "createdAt" : "created_at", text_or_null(entry.created_at)},
        {camel_case ? "lastUsedAt" : "last_used_at", text_or_null(entry.last_used_at)},
        {camel_case ? "expiresAt" : "expires_at", text_or_null(entry.expires_at)},
        {camel_case ? "revokedAt" : "revoked_at", text_or_null(entry.revoked_at)}};
  } else {
    members["inventory"] = nullptr;
  }
  return members;
}

std::string describe_liveness(const LivenessLabel& label) {
  std::string text = liveness_name(label.status);
  if (!label.evidence.empty()) {
    text += " (";
    for (std::size_t i = 0; i < label.evidence.size(); ++i)
      text += (i ? ", " : "") + label.evidence[i];
    text += ")";
  }
  if (!label.site.empty()) text += " on " + label.site;
  if (label.inventory) {
    const InventoryEntry& entry = *label.inventory;
    text += "; inventory: " + entry.kind + " '" + entry.name + "' id " + entry.id;
    if (!entry.owner.empty()) {
      text += ", owner " + entry.owner +
              (entry.owner_email.empty() ? "" : " <" + entry.owner_email + ">");
    }
    if (!entry.created_at.empty()) text += ", created " + entry.created_at;
    text +=
        ", last used " + (entry.last_used_at.empty() ? std::string("never") : entry.last_used_at);
    if (!entry.expires_at.empty()) text += ", expires " + entry.expires_at;
    if (!entry.revoked_at.empty()) text += ", revoked " + entry.revoked_at;
  }
  return text;
}

std::size_t failing_count(const Report& report) {
  return std::size_t(std::count_if(report.result.findings.begin(), report.result.findings.end(),
                                   [](const Finding& f) { return f.fails; }));
}

std::string datadog_app_host(const std::string& site) {
  // A regional site (us3.datadoghq.com) is its own host; a bare domain has app. in front.
  return std::count(site.begin(), site.end(), '.') > 1 ? site : "app." + site;
}

std::string finding_site(const Finding& finding) {
  if (finding.liveness && !finding.liveness->site.empty()) return finding.liveness->site;
  return finding.site_hint;
}

std::string finding_remediation(const Finding& finding) {
  if (finding.rule->remediation.empty()) {
    return "Remove the secret from the file (and from git history once committed), revoke it "
           "where it was issued, and keep its replacement in a secrets manager or a CI secret "
           "variable, never in the repository.";
  }
  std::string text = finding.rule->remediation;
  std::string site = finding_site(finding);
  if (site.empty() || site == "datadoghq.com") return text;
  const std::string default_host = "https://app.datadoghq.com/";
  const std::string host = "https://" + datadog_app_host(site) + "/";
  for (std::size_t at = text.find(default_host); at != std::string::npos;
       at = text.find(default_host, at + host.size())) {
    text.replace(at, default_host.size(), host);
  }
  return text;
}

}  // namespace keysweep
