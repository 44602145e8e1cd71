#include "util/progress.h"

#include <chrono>
#include <cstdio>

#include "util/interrupt.h"

namespace keysweep {

ProgressMeter::ProgressMeter(bool enabled, const char* unit) : unit_(unit), enabled_(enabled) {
  if (!enabled_) return;
  thread_ = std::thread([this] {
    auto started = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; })) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      double megabytes = double(bytes_.load(std::memory_order_relaxed)) / 1e6;
      std::fprintf(stderr, "\r\x1b[K%zu %s, %.0f MB, %.0f MB/s", items_.load(std::memory_order_relaxed),
                   unit_, megabytes, seconds > 0 ? megabytes / seconds : 0.0);
      std::fflush(stderr);
      set_progress_line_open(true);
    }
  });
}

void ProgressMeter::finish() {
  if (!enabled_) return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  set_progress_line_open(false);
}

ProgressMeter::~ProgressMeter() { finish(); }

}  // namespace keysweep
