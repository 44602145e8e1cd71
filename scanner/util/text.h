#pragma once
// Small text chores that many inputs share: whole small files, ASCII case,
// the line ends a helper program's output carries.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keysweep {

/// The whole file (a rule file, a report, a baseline, a saved API response),
/// or nullopt when it cannot be opened: errno tells why, and the caller names
/// the file in its own words.
std::optional<std::string> read_text_file(const std::string& path);

/// Size limits on inputs read whole (README "Input limits"). Rules, configs
/// and baselines are written by hand; API listings and scan reports grow
/// with an organisation, so they get more room.
constexpr std::size_t kConfigFileLimit = std::size_t(16) << 20;
constexpr std::size_t kReportFileLimit = std::size_t(256) << 20;

/// The whole of an input file, which must be a regular file (or a symlink to
/// one) of at most `limit` bytes: a directory, a device such as /dev/zero or
/// a FIFO is refused before it is opened. Throws UsageError naming the path,
/// `what` it was meant to be ("rule file", "baseline") and the reason.
std::string read_input_file(const std::string& path, std::size_t limit, const char* what);

std::string ascii_lowercase(std::string text);

/// The words of an identifier or key name, lowercase: split at every
/// character that is not an ASCII letter or digit, and at camelCase humps
/// ("configuration.api_key[\"apiKeyAuth\"]" -> configuration api key api key auth;
/// "DDAPIKey" -> ddapi key). Appends to `words`.
void split_name_words(std::string_view name, std::vector<std::string>& words);

/// Without the trailing newlines a program's output ends with.
std::string trim_line_ends(std::string text);

}  // namespace keysweep
