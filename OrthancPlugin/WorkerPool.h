#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace iris::plugin
{
// N workers on one Boost.Asio io_context with N threads. Each worker is a strand that runs one
// job at a time: `runOne(worker)` claims and runs a job (false when none is due), then the
// worker looks again at once; an idle worker sleeps on its timer until `idlePoll` has passed
// (to pick up back-offs and deferrals as they fall due) or wake() is called.
class WorkerPool
{
public:
  using RunOne = std::function<bool(size_t worker)>;

  WorkerPool(size_t workers, RunOne runOne, std::chrono::milliseconds idlePoll);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t size() const { return workers_.size(); }
  void start();
  // Safe from any thread, cheap: idle workers look for a job now.
  void wake();
  // Stops taking jobs and waits up to `grace` for the running ones. True when every thread
  // ended; false when some are still busy: they are detached and this pool must then be
  // leaked, not destroyed (the caller abandons their jobs).
  bool stop(std::chrono::milliseconds grace);

private:
  struct Worker
  {
    explicit Worker(boost::asio::io_context& io) : strand(io.get_executor()), timer(strand) {}
    boost::asio::strand<boost::asio::io_context::executor_type> strand;
    boost::asio::steady_timer timer;
  };

  void look(size_t worker);
  void sleep(size_t worker);

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::unique_ptr<Worker>> workers_;
  RunOne runOne_;
  std::chrono::milliseconds idlePoll_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable ended_;
  size_t runningThreads_ = 0;
  bool stopped_ = false;
};
} // namespace iris::plugin
