#pragma once
// A progress line on stderr for long scans ("blobs, bytes, rate"), redrawn a
// few times a second by its own thread. Counters are atomics the workers bump.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace keysweep {

class ProgressMeter {
 public:
  /// Nothing is printed unless enabled.
  explicit ProgressMeter(bool enabled, const char* unit);
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  void add(std::size_t bytes) {
    items_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  /// Stops redrawing and clears the line.
  void finish();

 private:
  void draw();
  std::atomic<std::size_t> items_{0}, bytes_{0};
  const char* unit_;
  bool enabled_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keysweep
