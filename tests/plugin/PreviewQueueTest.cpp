#include "OrthancPlugin/PreviewQueue.h"

#include "OrthancPlugin/WorkerPool.h"

#include <atomic>
#include <future>
#include <gtest/gtest.h>
#include <thread>

namespace iris::plugin
{
namespace
{
using namespace std::chrono_literals;

TEST(PreviewQueue, RunsWorkOnTheWorkerThatTakesIt)
{
  PreviewQueue queue(2);
  EXPECT_FALSE(queue.runNext(0));
  size_t ranOn = 99;
  const auto ticket = queue.submit([&ranOn](size_t worker) { ranOn = worker; });
  EXPECT_EQ(queue.pending(), 1u);
  EXPECT_TRUE(queue.runNext(3));
  EXPECT_TRUE(ticket->wait(0ms));
  EXPECT_EQ(ranOn, 3u);
  EXPECT_EQ(queue.pending(), 0u);
  EXPECT_FALSE(queue.runNext(3));
}

TEST(PreviewQueue, TheWaiterGetsTheWorksException)
{
  PreviewQueue queue(1);
  const auto ticket = queue.submit([](size_t) { throw std::runtime_error("no such reference"); });
  EXPECT_TRUE(queue.runNext(0)) << "runNext itself never throws";
  EXPECT_THROW(
      {
        try
        {
          ticket->wait(1s);
        }
        catch (const std::runtime_error& error)
        {
          EXPECT_STREQ(error.what(), "no such reference");
          throw;
        }
      },
      std::runtime_error);
}

TEST(PreviewQueue, AFullQueueRefusesWork)
{
  PreviewQueue queue(2);
  queue.submit([](size_t) {});
  queue.submit([](size_t) {});
  EXPECT_THROW(queue.submit([](size_t) {}), PreviewQueue::Full);
  EXPECT_TRUE(queue.runNext(0));
  EXPECT_NO_THROW(queue.submit([](size_t) {}));
}

TEST(PreviewQueue, WorkNotStartedBeforeTheTimeoutNeverRuns)
{
  PreviewQueue queue(1);
  bool ran = false;
  const auto ticket = queue.submit([&ran](size_t) { ran = true; });
  EXPECT_FALSE(ticket->wait(20ms));
  EXPECT_EQ(queue.pending(), 0u) << "a withdrawn preview takes no place";
  EXPECT_NO_THROW(queue.submit([](size_t) {}));
  EXPECT_TRUE(queue.runNext(0)); // the second one; the withdrawn one is dropped
  EXPECT_FALSE(ran);
  EXPECT_FALSE(queue.runNext(0));
}

TEST(PreviewQueue, WorkRunningAtTheTimeoutFinishesForNobody)
{
  PreviewQueue queue(1);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  const auto ticket = queue.submit(
      [&, released](size_t)
      {
        started = true;
        released.wait();
        finished = true;
      });
  std::thread worker([&queue] { queue.runNext(0); });
  while (!started)
  {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_FALSE(queue.runNext(1)) << "running work is not handed out twice";
  EXPECT_FALSE(ticket->wait(20ms));
  EXPECT_EQ(queue.pending(), 1u) << "still running";
  EXPECT_THROW(queue.submit([](size_t) {}), PreviewQueue::Full);
  release.set_value();
  worker.join();
  EXPECT_TRUE(finished);
  EXPECT_EQ(queue.pending(), 0u);
}

TEST(PreviewQueue, AnIdlePoolWorkerTakesAPreviewOnceWoken)
{
  PreviewQueue queue(4);
  std::atomic<size_t> ranOn{99};
  // Idle workers look again only every 10 s, unless woken.
  WorkerPool pool(
      1, [&queue](size_t worker) { return queue.runNext(worker); }, 10s);
  pool.start();
  std::this_thread::sleep_for(50ms); // the worker found nothing and sleeps
  const auto ticket = queue.submit([&ranOn](size_t worker) { ranOn = worker; });
  pool.wake();
  EXPECT_TRUE(ticket->wait(5s));
  EXPECT_EQ(ranOn.load(), 0u);
  EXPECT_TRUE(pool.stop(5s));
}
} // namespace
} // namespace iris::plugin
