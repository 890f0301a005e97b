#pragma once

#include "storage/Database.h"
#include "storage/Job.h"

#include <map>
#include <optional>
#include <vector>

namespace iris::storage
{
// The durable job queue. Every transition is one transaction; times are passed in (epoch ms)
// so that callers and tests control the clock.
class JobStore
{
public:
  explicit JobStore(Database& database) : db_(database) {}

  struct Enqueued
  {
    int64_t id;
    bool created; // false when the job already existed for this (series, task, model)
  };
  // Queues the job unless one exists at the newest generation of (series, task, model).
  Enqueued enqueue(const NewJob& job, int64_t now);
  // Queues a new generation, unless one is still queued or running (then returns that one).
  Enqueued rerun(const NewJob& job, int64_t now);

  // Takes the most urgent queued job that is due, marks it running and counts the attempt.
  std::optional<Job> claimNext(int64_t now);
  // Stores the SEG UIDs unless some are stored already; returns the job's UIDs either way.
  Job reserveSegUids(int64_t id, const std::string& seriesUid, const std::string& instanceUid,
                     int64_t now);
  // Running -> succeeded, with the result row, atomically. False if the job is no longer
  // running (cancelled meanwhile): nothing is recorded.
  bool succeed(int64_t id, const JobResult& result, int64_t now);
  // Running -> queued after a back-off, or -> failed once attempts are spent. Returns the state.
  JobState fail(int64_t id, const std::string& error, const RetryPolicy& policy, int64_t now);
  // Running -> queued at `runAfter` without spending the attempt (e.g. the series grew).
  void defer(int64_t id, int64_t runAfter, const std::string& reason, int64_t now);
  // Queued or running -> cancelled.
  bool cancel(int64_t id, int64_t now);
  // Failed or cancelled -> queued, with a fresh attempt budget.
  bool retry(int64_t id, int64_t now);
  // After a crash: running jobs go back to the queue. Returns them, as queued again.
  std::vector<Job> recoverInterrupted(int64_t now);

  std::optional<Job> find(int64_t id);
  std::vector<Job> list(const JobFilter& filter);
  std::map<JobState, int64_t> countByState();
  // Jobs that would block deleting a task.
  int64_t countActiveForTask(const std::string& taskId);

private:
  Enqueued insertGeneration(const NewJob& job, int generation, int64_t now);
  std::optional<Job> newestGeneration(const NewJob& job);
  // Runs an UPDATE whose last two parameters are (now, id); true when it changed a row.
  bool update(Statement& statement, int64_t id, int64_t now);

  Database& db_;
};
} // namespace iris::storage
