#include "OrthancPlugin/WorkerPool.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

namespace iris::plugin
{
WorkerPool::WorkerPool(size_t workers, RunOne runOne, std::chrono::milliseconds idlePoll)
    : guard_(boost::asio::make_work_guard(io_)), runOne_(std::move(runOne)), idlePoll_(idlePoll)
{
  for (size_t i = 0; i < std::max<size_t>(1, workers); ++i)
  {
    workers_.push_back(std::make_unique<Worker>(io_));
  }
}

WorkerPool::~WorkerPool()
{
  stop(std::chrono::milliseconds::max());
}

void WorkerPool::start()
{
  std::lock_guard<std::mutex> lock(mutex_);
  if (!threads_.empty() || stopped_)
  {
    return;
  }
  for (size_t i = 0; i < workers_.size(); ++i)
  {
    boost::asio::post(workers_[i]->strand, [this, i] { look(i); });
  }
  runningThreads_ = workers_.size();
  for (size_t i = 0; i < workers_.size(); ++i)
  {
    threads_.emplace_back(
        [this]
        {
          io_.run();
          std::lock_guard<std::mutex> lock(mutex_);
          --runningThreads_;
          ended_.notify_all();
        });
  }
}

void WorkerPool::look(size_t worker)
{
  if (stopping_)
  {
    return;
  }
  bool ran = false;
  try
  {
    ran = runOne_(worker);
  }
  catch (...)
  {
    // runOne reports its own failures; a throw here must not end the worker.
  }
  if (ran)
  {
    boost::asio::post(workers_[worker]->strand, [this, worker] { look(worker); });
  }
  else
  {
    sleep(worker);
  }
}

void WorkerPool::sleep(size_t worker)
{
  if (stopping_)
  {
    return;
  }
  auto& timer = workers_[worker]->timer;
  timer.expires_after(idlePoll_);
  // Woken early (cancelled) or not, the worker looks again.
  timer.async_wait(boost::asio::bind_executor(workers_[worker]->strand,
                                              [this, worker](const boost::system::error_code&)
                                              { look(worker); }));
}

void WorkerPool::wake()
{
  for (auto& worker : workers_)
  {
    boost::asio::post(worker->strand, [&timer = worker->timer] { timer.cancel(); });
  }
}

bool WorkerPool::stop(std::chrono::milliseconds grace)
{
  stopping_ = true;
  wake();
  guard_.reset();
  io_.stop();
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopped_)
  {
    return runningThreads_ == 0;
  }
  stopped_ = true;
  const auto allEnded = [this] { return runningThreads_ == 0; };
  const bool ended = grace == std::chrono::milliseconds::max()
                         ? (ended_.wait(lock, allEnded), true)
                         : ended_.wait_for(lock, grace, allEnded);
  lock.unlock();
  for (auto& thread : threads_)
  {
    ended ? thread.join() : thread.detach();
  }
  threads_.clear();
  return ended;
}
} // namespace iris::plugin
