#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace iris::plugin
{
// Interactive work (task previews) for the inference workers. Each worker owns its loaded
// model, so a preview runs on a worker, not on the HTTP thread that asked for it; a worker takes
// waiting previews before queued jobs. Bounded: a full queue refuses new work, and whoever
// waits gives up after a timeout.
class PreviewQueue
{
public:
  using Work = std::function<void(size_t worker)>;

  class Full : public std::runtime_error
  {
  public:
    using std::runtime_error::runtime_error;
  };

  // One submitted piece of work, shared by the queue and the waiting caller.
  class Ticket
  {
  public:
    // True once the work ran (rethrowing what it threw); false after `timeout`, in which case
    // work that has not started yet is withdrawn and never runs.
    bool wait(std::chrono::milliseconds timeout);

  private:
    friend class PreviewQueue;
    enum class State
    {
      Waiting,
      Running,
      Done,
      Withdrawn
    };
    Work work;
    std::mutex mutex;
    std::condition_variable changed;
    State state = State::Waiting;
    std::exception_ptr error;
  };

  explicit PreviewQueue(size_t capacity) : capacity_(capacity) {}

  // Queues `work`; throws Full when `capacity` previews are waiting or running.
  std::shared_ptr<Ticket> submit(Work work);
  // Runs the oldest waiting work on `worker`; false when none was waiting. Never throws.
  bool runNext(size_t worker);
  // Previews waiting or running.
  size_t pending() const;

private:
  size_t pendingLocked() const; // mutex_ held

  size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<Ticket>> waiting_;
  size_t running_ = 0;
};
} // namespace iris::plugin
