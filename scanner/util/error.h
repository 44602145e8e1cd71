#pragma once
// One error idiom for the whole code base: exceptions that carry the exit code.
// A warning never throws; it goes to Diagnostics and the scan goes on.

#include <stdexcept>
#include <string>

namespace keysweep {

/// Documented process exit codes (README "Exit codes").
enum class ExitCode : int { clean = 0, findings = 1, usage = 2, runtime = 3 };

/// Bad input from the user: a flag, a rule file, a config. Exit 2.
/// The message names the input (file, line, rule id) and the reason.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Something failed while working (I/O on an output file, an engine failure). Exit 3.
class RuntimeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace keysweep
