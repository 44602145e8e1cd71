#pragma once

namespace keysweep {

/// Parses the command line, runs the command, returns the process exit code
/// (README "Exit codes"). Never throws.
int run_cli(int argc, char** argv);

}  // namespace keysweep
