#include "policy/baseline.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "util/error.h"
#include "util/text.h"

namespace keysweep {

BaselineEntry baseline_entry(const Finding& finding, const PathRebase& to_base) {
  return {to_base(finding.path).value_or(finding.path), finding.rule->id, finding.secret_sha256};
}

std::string baseline_base(const std::string& repository_root, const std::string& baseline_path) {
  if (!repository_root.empty()) return repository_root;
  std::error_code error;
  return std::filesystem::absolute(baseline_path, error).lexically_normal().parent_path().string();
}

std::vector<BaselineEntry> load_baseline(const std::string& path) {
  // Written by `baseline create` and as large as the findings: a report's room.
  std::string text = read_input_file(path, kReportFileLimit, "baseline");
  nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) throw UsageError(path + ": the baseline is not JSON");
  if (!document.is_object() || !document.contains("keysweep_baseline") ||
      !document.contains("entries") || !document["entries"].is_array()) {
    throw UsageError(path +
                     ": not a keysweep baseline (create one with `keysweep baseline create`)");
  }
  if (document["keysweep_baseline"] != 1) {
    throw UsageError(path + ": baseline format " + document["keysweep_baseline"].dump() +
                     " is not 1");
  }
  std::vector<BaselineEntry> entries;
  std::size_t index = 0;
  for (const auto& item : document["entries"]) {
    auto field = [&](const char* name) {
      if (!item.is_object() || !item.contains(name) || !item[name].is_string()) {
        throw UsageError(path + ": entry " + std::to_string(index) + " has no string '" + name +
                         "'");
      }
      return item[name].get<std::string>();
    };
    entries.push_back({field("path"), field("rule_id"), field("secret_sha256")});
    ++index;
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::size_t write_baseline(const std::vector<Finding>& findings, const PathRebase& to_base,
                           std::ostream& out) {
  std::set<BaselineEntry> entries;
  for (const Finding& finding : findings) entries.insert(baseline_entry(finding, to_base));
  out << "{\n  \"keysweep_baseline\": 1,\n  \"entries\": [";
  bool first = true;
  std::size_t written = 0;
  for (const BaselineEntry& entry : entries) {
    nlohmann::ordered_json line = {
        {"path", entry.path}, {"rule_id", entry.rule_id}, {"secret_sha256", entry.secret_sha256}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // A baseline that --baseline would refuse is refused now, before it replaces anything.
    written += text.size() + 6;
    if (written > kReportFileLimit) {
      throw UsageError("the baseline of " + std::to_string(entries.size()) +
                       " entries would be over the " + std::to_string(kReportFileLimit >> 20) +
                       " MiB" + " that --baseline reads; scan less, or fix findings first");
    }
    out << (first ? "\n    " : ",\n    ") << text;
    first = false;
  }
  out << (entries.empty() ? "]\n}\n" : "\n  ]\n}\n");
  return entries.size();
}

std::vector<BaselineEntry> mark_baselined(const std::vector<BaselineEntry>& baseline,
                                          std::vector<Finding>& findings,
                                          const PathRebase& to_base) {
  std::set<BaselineEntry> used;
  for (Finding& finding : findings) {
    BaselineEntry entry = baseline_entry(finding, to_base);
    BaselineEntry from_root{finding.path, entry.rule_id, entry.secret_sha256};
    for (const BaselineEntry& candidate : {entry, from_root}) {
      if (std::binary_search(baseline.begin(), baseline.end(), candidate)) {
        used.insert(candidate);
        finding.suppressed_by = Suppression::baseline;
        break;
      }
    }
  }
  std::vector<BaselineEntry> unused;
  for (const BaselineEntry& entry : baseline) {
    if (!used.contains(entry)) unused.push_back(entry);
  }
  return unused;
}

}  // namespace keysweep
