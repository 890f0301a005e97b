#include "OrthancPlugin/PreviewQueue.h"

#include <string>

namespace iris::plugin
{
bool PreviewQueue::Ticket::wait(std::chrono::milliseconds timeout)
{
  std::unique_lock<std::mutex> lock(mutex);
  if (!changed.wait_for(lock, timeout, [this] { return state == State::Done; }))
  {
    if (state == State::Waiting)
    {
      state = State::Withdrawn; // runNext drops it
    }
    return false;
  }
  if (error)
  {
    std::rethrow_exception(error);
  }
  return true;
}

std::shared_ptr<PreviewQueue::Ticket> PreviewQueue::submit(Work work)
{
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t pending = pendingLocked();
  if (pending >= capacity_)
  {
    throw Full(std::to_string(pending) + " preview(s) are waiting or running (at most " +
               std::to_string(capacity_) + ")");
  }
  auto ticket = std::make_shared<Ticket>();
  ticket->work = std::move(work);
  waiting_.push_back(ticket);
  return ticket;
}

bool PreviewQueue::runNext(size_t worker)
{
  std::shared_ptr<Ticket> ticket;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!ticket && !waiting_.empty())
    {
      auto next = std::move(waiting_.front());
      waiting_.pop_front();
      std::lock_guard<std::mutex> ticketLock(next->mutex);
      if (next->state == Ticket::State::Waiting)
      {
        next->state = Ticket::State::Running;
        ticket = std::move(next);
      }
    }
    if (!ticket)
    {
      return false;
    }
    ++running_;
  }
  std::exception_ptr error;
  try
  {
    ticket->work(worker);
  }
  catch (...)
  {
    error = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> ticketLock(ticket->mutex);
    ticket->error = error;
    ticket->state = Ticket::State::Done;
    ticket->work = nullptr; // frees what the work captured, even if nobody waits any more
  }
  ticket->changed.notify_all();
  std::lock_guard<std::mutex> lock(mutex_);
  --running_;
  return true;
}

size_t PreviewQueue::pending() const
{
  std::lock_guard<std::mutex> lock(mutex_);
  return pendingLocked();
}

size_t PreviewQueue::pendingLocked() const
{
  // Withdrawn tickets still in the queue take no place.
  size_t waiting = 0;
  for (const auto& ticket : waiting_)
  {
    std::lock_guard<std::mutex> ticketLock(ticket->mutex);
    waiting += ticket->state == Ticket::State::Waiting ? 1 : 0;
  }
  return waiting + running_;
}
} // namespace iris::plugin
