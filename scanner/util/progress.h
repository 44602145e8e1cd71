#pragma once
// A progress line on stderr for long scans ("blobs, bytes, rate"), redrawn a
// few times a second by its own thread. Counters are atomics the workers bump.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace keysweep {

class ProgressMeter {
 public:
  /// Nothing is printed unless enabled. `label` starts the line (in an audit,
  /// "repository 3 of 40: NAME").
  explicit ProgressMeter(bool enabled, const char* unit, std::string label = "");
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  void add(std::size_t bytes) {
    items_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  /// What the scan is doing ("listing", "reading", "provenance"): a string literal.
  void set_phase(const char* phase) { phase_.store(phase, std::memory_order_relaxed); }
  /// The object count that the percentage and the ETA are of; add_object() counts them.
  void set_total(std::size_t objects) { total_.store(objects, std::memory_order_relaxed); }
  void add_object() { objects_.fetch_add(1, std::memory_order_relaxed); }
  /// Stops redrawing and clears the line.
  void finish();

 private:
  void draw();
  std::atomic<std::size_t> items_{0}, bytes_{0}, objects_{0}, total_{0};
  std::atomic<const char*> phase_{nullptr};
  const char* unit_;
  std::string label_;
  bool enabled_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keysweep
