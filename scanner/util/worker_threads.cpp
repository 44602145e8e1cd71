#include "util/worker_threads.h"

namespace keysweep {

WorkerThreads::WorkerThreads(std::function<void()> on_stop) : on_stop_(std::move(on_stop)) {}

WorkerThreads::~WorkerThreads() {
  stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerThreads::spawn(std::function<void()> work) {
  threads_.emplace_back([this, work = std::move(work)] {
    try {
      work();
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
      }
      stop();
    }
  });
}

void WorkerThreads::join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  std::lock_guard lock(mutex_);
  if (failure_) std::rethrow_exception(failure_);
}

void WorkerThreads::stop() {
  stopping_.store(true, std::memory_order_relaxed);
  std::call_once(stopped_, [this] {
    if (on_stop_) on_stop_();
  });
}

}  // namespace keysweep
