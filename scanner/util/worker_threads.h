#pragma once
// Worker threads whose failures reach the thread that started them. An
// exception that escapes a std::thread calls std::terminate, and a joinable
// std::thread destroyed during unwinding does too; here the first exception
// any worker throws is kept, the other workers are told to stop, and join()
// rethrows it on the caller's thread (the CLI turns it into exit 3).

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace keysweep {

class WorkerThreads {
 public:
  /// `on_stop` runs once when a worker fails or the owner unwinds: it must
  /// unblock workers and producers (close their queue).
  explicit WorkerThreads(std::function<void()> on_stop = {});
  /// Stops and joins whatever still runs; never rethrows.
  ~WorkerThreads();
  WorkerThreads(const WorkerThreads&) = delete;
  WorkerThreads& operator=(const WorkerThreads&) = delete;

  /// Starts `work` on a new thread. Throws std::system_error when the system
  /// cannot start one (the threads already started are joined on destruction).
  void spawn(std::function<void()> work);

  /// True once a worker failed: long loops check it and return early.
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  /// Waits for every worker, then rethrows the first exception one threw.
  void join();

 private:
  void stop();

  std::function<void()> on_stop_;
  std::once_flag stopped_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::exception_ptr failure_;
  std::vector<std::thread> threads_;
};

}  // namespace keysweep
