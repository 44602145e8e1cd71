#pragma once
// JSON pieces shared by the json, SARIF and audit reporters; only reporters
// include this, so nlohmann/json stays out of reporter.h.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "reporter.h"

namespace keysweep {

/// A JSON string, or null for "the API/git did not say" (empty).
nlohmann::ordered_json text_or_null(const std::string& text);

/// SARIF pieces shared by the scan and audit reports.
nlohmann::ordered_json sarif_tool(const nlohmann::ordered_json& rules);
/// The SARIF log with its one run, written to `out`.
void write_sarif_log(nlohmann::ordered_json run, std::ostream& out);
const char* sarif_level(Severity severity);
const char* security_severity(Severity severity);
std::string uri_from_path(std::string_view path);
std::string sentence(std::string text);
nlohmann::ordered_json rule_descriptor(const Rule& rule);

/// The liveness of a finding as JSON members (liveness, evidence, inventory
/// record), in the given member-name style: "snake" for json, "camel" for SARIF.
nlohmann::ordered_json liveness_members(const LivenessLabel& label, bool camel_case);

}  // namespace keysweep
