#pragma once
// What SIGINT and SIGTERM do: remove the temporary files a write in progress
// made, end a progress line so the shell prompt starts on its own line, and
// exit 130 or 143 (128 + the signal, as a shell reports a killed job).
// Everything the handler reads is fixed-size and atomic: a signal may arrive
// on any thread, at any point.

namespace keysweep {

/// Installs the handlers. Called once, by the CLI, before any work.
void install_interrupt_handlers();

/// Records a temporary file for the handler to unlink. Returns a slot for
/// forget_temporary_file, or -1 when the path is too long or every slot is
/// taken (the file is then only removed by its writer).
int remember_temporary_file(const char* path);
void forget_temporary_file(int slot);

/// Whether a progress line without its newline is on stderr.
void set_progress_line_open(bool open);

}  // namespace keysweep
