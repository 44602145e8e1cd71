#pragma once
// Small text chores that many inputs share: whole small files, ASCII case,
// the line ends a helper program's output carries.

#include <optional>
#include <string>

namespace keysweep {

/// The whole file (a rule file, a report, a baseline, a saved API response),
/// or nullopt when it cannot be opened: errno tells why, and the caller names
/// the file in its own words.
std::optional<std::string> read_text_file(const std::string& path);

std::string ascii_lowercase(std::string text);

/// Without the trailing newlines a program's output ends with.
std::string trim_line_ends(std::string text);

}  // namespace keysweep
