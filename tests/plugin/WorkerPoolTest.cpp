#include "OrthancPlugin/WorkerPool.h"

#include <atomic>
#include <gtest/gtest.h>
#include <set>

namespace iris::plugin
{
namespace
{
using namespace std::chrono_literals;

// A queue of fake jobs: each takes `jobTime`; records which workers ran them at once.
class FakeQueue
{
public:
  explicit FakeQueue(int jobs, std::chrono::milliseconds jobTime = 20ms)
      : remaining_(jobs), jobTime_(jobTime)
  {
  }

  bool runOne(size_t worker)
  {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (remaining_ == 0)
      {
        return false;
      }
      --remaining_;
      workers_.insert(worker);
      maxConcurrent_ = std::max(maxConcurrent_, ++concurrent_);
    }
    std::this_thread::sleep_for(jobTime_);
    std::lock_guard<std::mutex> lock(mutex_);
    --concurrent_;
    ++done_;
    return true;
  }
  void add(int jobs)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    remaining_ += jobs;
  }
  int done()
  {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_;
  }
  int concurrent()
  {
    std::lock_guard<std::mutex> lock(mutex_);
    return concurrent_;
  }

  std::mutex mutex_;
  int remaining_;
  int done_ = 0;
  int concurrent_ = 0;
  int maxConcurrent_ = 0;
  std::set<size_t> workers_;
  std::chrono::milliseconds jobTime_;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition() && std::chrono::steady_clock::now() < deadline)
  {
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

TEST(WorkerPool, WorkersDrainTheQueueInParallel)
{
  FakeQueue queue(12, 50ms);
  WorkerPool pool(
      3, [&](size_t worker) { return queue.runOne(worker); }, 10s);
  pool.start();
  ASSERT_TRUE(eventually([&] { return queue.done() == 12; }, 5s));
  EXPECT_TRUE(pool.stop(1s));
  EXPECT_EQ(queue.maxConcurrent_, 3);
  EXPECT_EQ(queue.workers_, (std::set<size_t>{0, 1, 2}));
}

TEST(WorkerPool, WakeStartsIdleWorkersWithoutWaitingForThePoll)
{
  FakeQueue queue(0);
  WorkerPool pool(
      2, [&](size_t worker) { return queue.runOne(worker); }, 60s);
  pool.start();
  std::this_thread::sleep_for(50ms); // both workers asleep on a one-minute poll
  queue.add(3);
  pool.wake();
  EXPECT_TRUE(eventually([&] { return queue.done() == 3; }, 5s));
  EXPECT_TRUE(pool.stop(1s));
}

TEST(WorkerPool, IdlePollPicksUpJobsThatFallDue)
{
  FakeQueue queue(0);
  WorkerPool pool(
      1, [&](size_t worker) { return queue.runOne(worker); }, 50ms);
  pool.start();
  std::this_thread::sleep_for(20ms);
  queue.add(1); // no wake(): a deferred job becoming due
  EXPECT_TRUE(eventually([&] { return queue.done() == 1; }, 5s));
  EXPECT_TRUE(pool.stop(1s));
}

TEST(WorkerPool, AThrowingJobDoesNotEndTheWorker)
{
  std::atomic<int> calls{0};
  WorkerPool pool(
      1,
      [&](size_t) -> bool
      {
        if (++calls == 1)
        {
          throw std::runtime_error("boom");
        }
        return false;
      },
      10ms);
  pool.start();
  EXPECT_TRUE(eventually([&] { return calls >= 3; }, 5s));
  EXPECT_TRUE(pool.stop(1s));
}

TEST(WorkerPool, StopGivesUpOnABusyWorkerAfterTheGrace)
{
  FakeQueue queue(1, 600ms);
  // Leaked on purpose, as the plugin does: its detached thread still runs the job.
  auto* pool = new WorkerPool(
      1, [&](size_t worker) { return queue.runOne(worker); }, 10s);
  pool->start();
  ASSERT_TRUE(eventually([&] { return queue.concurrent() == 1; }, 5s));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool->stop(100ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  // Let the detached job end before `queue` goes out of scope.
  EXPECT_TRUE(eventually([&] { return queue.done() == 1; }, 5s));
  std::this_thread::sleep_for(50ms);
}
} // namespace
} // namespace iris::plugin
