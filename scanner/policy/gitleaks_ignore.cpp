#include "policy/gitleaks_ignore.h"

#include <filesystem>
#include <sstream>

#include "util/text.h"

namespace keysweep {

std::set<std::string> load_gitleaks_ignore(const std::string& directory) {
  std::set<std::string> fingerprints;
  if (directory.empty()) return fingerprints;
  std::string path = directory + "/.gitleaksignore";
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return fingerprints;
  std::istringstream lines(read_input_file(path, kConfigFileLimit, ".gitleaksignore"));
  std::string line;
  while (std::getline(lines, line)) {
    if (std::size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.pop_back();
    std::size_t start = line.find_first_not_of(" \t");
    if (start != std::string::npos) fingerprints.insert(line.substr(start));
  }
  return fingerprints;
}

void mark_gitleaks_ignored(const std::set<std::string>& fingerprints,
                           std::vector<Finding>& findings, const PathRebase& to_base) {
  if (fingerprints.empty()) return;
  for (Finding& finding : findings) {
    std::optional<std::string> path = to_base(finding.path);
    if (!path || finding.rule == nullptr || finding.suppressed_by != Suppression::none) continue;
    std::string fingerprint =
        *path + ":" + finding.rule->id + ":" + std::to_string(finding.start.line);
    if (finding.git && !finding.git->commit.empty())
      fingerprint = finding.git->commit + ":" + fingerprint;
    if (fingerprints.count(fingerprint) != 0) finding.suppressed_by = Suppression::baseline;
  }
}

}  // namespace keysweep
