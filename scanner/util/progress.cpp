#include "util/progress.h"

#include <chrono>
#include <cstdio>

#include "util/interrupt.h"

namespace keysweep {

ProgressMeter::ProgressMeter(bool enabled, const char* unit, std::string label)
    : unit_(unit), label_(std::move(label)), enabled_(enabled) {
  if (!enabled_) return;
  thread_ = std::thread([this] {
    auto started = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; })) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      double megabytes = double(bytes_.load(std::memory_order_relaxed)) / 1e6;
      const char* phase = phase_.load(std::memory_order_relaxed);
      std::fprintf(stderr, "\r\x1b[K%s%s%s%s%zu %s, %.0f MB, %.0f MB/s", label_.c_str(),
                   label_.empty() ? "" : ": ", phase ? phase : "", phase ? ": " : "",
                   items_.load(std::memory_order_relaxed), unit_, megabytes,
                   seconds > 0 ? megabytes / seconds : 0.0);
      // The ETA assumes the objects left cost what the ones done did on average.
      std::size_t total = total_.load(std::memory_order_relaxed);
      std::size_t done = objects_.load(std::memory_order_relaxed);
      if (total > 0 && done > 0 && done <= total) {
        long left = long(seconds * double(total - done) / double(done));
        std::fprintf(stderr, ", %.0f%% of %zu objects, ETA %ld:%02ld",
                     100.0 * double(done) / double(total), total, left / 60, left % 60);
      }
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

ProgressMeter::~ProgressMeter() {
  finish();
}

}  // namespace keysweep
