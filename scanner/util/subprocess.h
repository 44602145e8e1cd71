#pragma once
// Running a helper program (git) without a shell: argv as given, output
// captured. Used where git itself is the fastest way to an answer.

#include <string>
#include <vector>

namespace keysweep {

struct ProcessResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

/// Runs argv[0] (looked up in PATH) with the environment inherited, plus
/// `extra_environment` ("NAME=value" each: only the process's owner can read
/// a process's environment, where anyone on the machine reads its arguments),
/// reading stdout and stderr until it exits. Throws RuntimeFailure when it
/// cannot start.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& extra_environment = {});

}  // namespace keysweep
