#include "util/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace keysweep {
namespace {

constexpr int kSlots = 16;
constexpr std::size_t kPathCapacity = 4096;

enum SlotState : int { free_slot, filling, ready };

struct TemporaryFile {
  std::atomic<int> state{free_slot};
  char path[kPathCapacity];
};

TemporaryFile temporary_files[kSlots];
std::atomic<bool> progress_line_open{false};

extern "C" void on_interrupt(int signal_number) {
  for (TemporaryFile& file : temporary_files) {
    if (file.state.load() == ready) ::unlink(file.path);
  }
  if (progress_line_open.load()) {
    ssize_t ignored = ::write(STDERR_FILENO, "\n", 1);
    (void)ignored;  // nothing left to do about a failed write on the way out
  }
  ::_exit(128 + signal_number);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  // Both signals blocked while either runs: one cleanup, one exit status.
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int remember_temporary_file(const char* path) {
  std::size_t length = std::strlen(path);
  if (length >= kPathCapacity) return -1;
  for (int slot = 0; slot < kSlots; ++slot) {
    int expected = free_slot;
    if (temporary_files[slot].state.compare_exchange_strong(expected, filling)) {
      std::memcpy(temporary_files[slot].path, path, length + 1);
      temporary_files[slot].state.store(ready);
      return slot;
    }
  }
  return -1;
}

void forget_temporary_file(int slot) {
  if (slot >= 0 && slot < kSlots) temporary_files[slot].state.store(free_slot);
}

void set_progress_line_open(bool open) {
  progress_line_open.store(open);
}

}  // namespace keysweep
