// A parallel-for over independent tasks with std::thread.
//
// Tasks are claimed from an atomic counter; each writes only its own output
// slot, so the result does not depend on the number of threads. The calling
// thread does no task work: it polls the monitor (interrupts, progress),
// which is where an R front end may call R.
#ifndef GMMMI_PARALLEL_H
#define GMMMI_PARALLEL_H

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace gmmmi {

// What the front end offers the core while it runs: a no-op by default.
class Monitor {
 public:
  virtual ~Monitor() = default;
  virtual bool interrupted() { return false; }
  virtual void progress(std::size_t /*done*/, std::size_t /*total*/) {}
};

// Passes interrupts through but no progress: for phases whose task counts
// would make a progress bar jump (each K of the component search).
class QuietMonitor : public Monitor {
 public:
  explicit QuietMonitor(Monitor& inner) : inner_(inner) {}
  bool interrupted() override { return inner_.interrupted(); }

 private:
  Monitor& inner_;
};

// Runs task(i) for i in [0, n) on n_threads workers. `abort` is raised when
// the monitor reports an interrupt or a task throws; tasks may poll it.
// Returns false when the run was interrupted; rethrows a task's exception.
template <class Task>
bool parallel_for(std::size_t n, int n_threads, Monitor& monitor,
                  std::atomic<bool>& abort, Task task) {
  if (n == 0) return true;
  const std::size_t workers =
      std::max<std::size_t>(1, std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, n_threads))));
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::exception_ptr error;
  std::mutex mtx;
  std::condition_variable cv;
  std::size_t finished_workers = 0;

  auto worker = [&]() {
    for (;;) {
      if (abort.load()) break;
      const std::size_t i = next.fetch_add(1);
      if (i >= n) break;
      try {
        task(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mtx);
        if (!error) error = std::current_exception();
        abort.store(true);
      }
      done.fetch_add(1);
    }
    std::lock_guard<std::mutex> lock(mtx);
    ++finished_workers;
    cv.notify_all();
  };

  std::vector<std::thread> pool;
  pool.reserve(workers);
  bool interrupted = false;
  try {
    for (std::size_t t = 0; t < workers; ++t) pool.emplace_back(worker);
    std::unique_lock<std::mutex> lock(mtx);
    while (finished_workers < workers) {
      cv.wait_for(lock, std::chrono::milliseconds(50));
      lock.unlock();
      if (!interrupted && monitor.interrupted()) {
        interrupted = true;
        abort.store(true);
      }
      monitor.progress(done.load(), n);
      lock.lock();
    }
  } catch (...) {
    abort.store(true);
    for (auto& th : pool)
      if (th.joinable()) th.join();
    throw;
  }
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
  monitor.progress(done.load(), n);
  return !interrupted;
}

}  // namespace gmmmi

#endif
