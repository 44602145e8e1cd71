#pragma once
// Checks on option values that more than one command uses.

#include <CLI/CLI.hpp>
#include <string>

namespace keysweep {

/// Refuses an empty value, as an unset variable in a script gives one
/// (`-o "$REPORT"`), so that it never stands for the option's default;
/// `message` says what was wrong, `name` is the value's name in the help.
inline CLI::Validator non_empty(std::string message, std::string name) {
  return CLI::Validator(
      [message](std::string& value) { return value.empty() ? message : std::string(); },
      std::move(name));
}

}  // namespace keysweep
