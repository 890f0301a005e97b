#include "storage/JobStore.h"

#include "storage/StorageError.h"

#include <algorithm>
#include <cmath>
#include <sqlite3.h>

namespace iris::storage
{
namespace
{
constexpr const char* kJobColumns =
    "id, series_id, task_id, model_id, generation, state, priority, attempts, max_attempts, "
    "run_after, seg_series_uid, seg_instance_uid, error, created_at, updated_at, started_at, "
    "finished_at, strategy";

std::optional<std::string> optionalText(const Statement& row, int column)
{
  return row.isNull(column) ? std::nullopt : std::optional<std::string>(row.columnText(column));
}

std::optional<int64_t> optionalInt(const Statement& row, int column)
{
  return row.isNull(column) ? std::nullopt : std::optional<int64_t>(row.columnInt(column));
}

Job readJob(const Statement& row)
{
  Job job;
  job.id = row.columnInt(0);
  job.seriesId = row.columnText(1);
  job.taskId = row.columnText(2);
  job.modelId = row.columnText(3);
  job.generation = static_cast<int>(row.columnInt(4));
  job.state = parseJobState(row.columnText(5));
  job.priority = static_cast<int>(row.columnInt(6));
  job.attempts = static_cast<int>(row.columnInt(7));
  job.maxAttempts = static_cast<int>(row.columnInt(8));
  job.runAfter = row.columnInt(9);
  job.segSeriesUid = optionalText(row, 10);
  job.segInstanceUid = optionalText(row, 11);
  job.error = optionalText(row, 12);
  job.createdAt = row.columnInt(13);
  job.updatedAt = row.columnInt(14);
  job.startedAt = optionalInt(row, 15);
  job.finishedAt = optionalInt(row, 16);
  job.strategy = optionalText(row, 17);
  return job;
}

std::string select(const std::string& tail)
{
  return std::string("SELECT ") + kJobColumns + " FROM jobs " + tail;
}
} // namespace

const char* toString(JobState state)
{
  switch (state)
  {
  case JobState::Queued:
    return "queued";
  case JobState::Running:
    return "running";
  case JobState::Succeeded:
    return "succeeded";
  case JobState::Failed:
    return "failed";
  case JobState::Cancelled:
    return "cancelled";
  }
  return "unknown";
}

JobState parseJobState(const std::string& text)
{
  for (auto state : {JobState::Queued, JobState::Running, JobState::Succeeded, JobState::Failed,
                     JobState::Cancelled})
  {
    if (text == toString(state))
    {
      return state;
    }
  }
  throw StorageError("Unknown job state \"" + text +
                     "\": expected queued, running, succeeded, failed or cancelled");
}

int64_t RetryPolicy::delayAfter(int attempts) const
{
  const double delay =
      static_cast<double>(firstDelayMs) * std::pow(factor, std::max(0, attempts - 1));
  return std::min<int64_t>(maxDelayMs, static_cast<int64_t>(delay));
}

JobStore::Enqueued JobStore::insertGeneration(const NewJob& job, int generation, int64_t now)
{
  auto insert = db_.prepare(
      "INSERT INTO jobs (series_id, task_id, model_id, generation, state, priority, max_attempts, "
      "run_after, created_at, updated_at, strategy) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)");
  insert.bind(1, job.seriesId).bind(2, job.taskId).bind(3, job.modelId);
  insert.bind(4, static_cast<int64_t>(generation)).bind(5, static_cast<int64_t>(job.priority));
  insert.bind(6, static_cast<int64_t>(std::max(1, job.maxAttempts)));
  insert.bind(7, now).bind(8, now).bind(9, now);
  if (job.strategy)
  {
    insert.bind(10, *job.strategy);
  }
  else
  {
    insert.bindNull(10);
  }
  insert.run();
  return {db_.lastInsertId(), true};
}

std::optional<Job> JobStore::newestGeneration(const NewJob& job)
{
  auto query = db_.prepare(select(
      "WHERE series_id = ? AND task_id = ? AND model_id = ? ORDER BY generation DESC LIMIT 1"));
  query.bind(1, job.seriesId).bind(2, job.taskId).bind(3, job.modelId);
  return query.step() ? std::optional<Job>(readJob(query)) : std::nullopt;
}

JobStore::Enqueued JobStore::enqueue(const NewJob& job, int64_t now)
{
  Enqueued result{0, false};
  db_.transaction(
      [&]
      {
        const auto existing = newestGeneration(job);
        result = existing ? Enqueued{existing->id, false} : insertGeneration(job, 0, now);
      });
  return result;
}

JobStore::Enqueued JobStore::rerun(const NewJob& job, int64_t now)
{
  Enqueued result{0, false};
  db_.transaction(
      [&]
      {
        const auto existing = newestGeneration(job);
        if (existing &&
            (existing->state == JobState::Queued || existing->state == JobState::Running))
        {
          result = {existing->id, false};
          return;
        }
        result = insertGeneration(job, existing ? existing->generation + 1 : 0, now);
      });
  return result;
}

std::optional<Job> JobStore::claimNext(int64_t now)
{
  std::optional<Job> claimed;
  db_.transaction(
      [&]
      {
        auto next = db_.prepare(select(
            "WHERE state = 'queued' AND run_after <= ? ORDER BY priority DESC, id ASC LIMIT 1"));
        next.bind(1, now);
        if (!next.step())
        {
          return;
        }
        const int64_t id = next.columnInt(0);
        auto claim = db_.prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                                 "started_at = ?, error = NULL, updated_at = ? WHERE id = ?");
        claim.bind(1, now);
        update(claim, id, now);
        claimed = find(id);
      });
  return claimed;
}

Job JobStore::reserveSegUids(int64_t id, const std::string& seriesUid,
                             const std::string& instanceUid, int64_t now)
{
  auto reserve = db_.prepare("UPDATE jobs SET seg_series_uid = ?, seg_instance_uid = ?, "
                             "updated_at = ? WHERE seg_instance_uid IS NULL AND id = ?");
  reserve.bind(1, seriesUid).bind(2, instanceUid);
  update(reserve, id, now);
  auto job = find(id);
  if (!job)
  {
    throw StorageError("Job " + std::to_string(id) + " does not exist");
  }
  return *job;
}

bool JobStore::succeed(int64_t id, const JobResult& result, int64_t now)
{
  bool done = false;
  db_.transaction(
      [&]
      {
        auto finish =
            db_.prepare("UPDATE jobs SET state = 'succeeded', finished_at = ?, error = NULL, "
                        "updated_at = ? WHERE state = 'running' AND id = ?");
        finish.bind(1, now);
        if (!update(finish, id, now))
        {
          return;
        }
        const auto job = find(id);
        auto record = db_.prepare(
            "INSERT INTO results (job_id, source_series, seg_instance_id, seg_series_uid, task_id, "
            "model_id, timings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        record.bind(1, id).bind(2, job->seriesId).bind(3, result.segInstanceId);
        record.bind(4, result.segSeriesUid).bind(5, job->taskId).bind(6, job->modelId);
        record.bind(7, result.timingsJson).bind(8, now);
        record.run();
        db_.prepare("UPDATE properties SET value = CAST(value AS INTEGER) + 1 "
                    "WHERE name = 'metrics.segs_written'")
            .run();
        db_.prepare("UPDATE properties SET value = CAST(value AS REAL) + "
                    "COALESCE(json_extract(?, '$.segment'), 0) "
                    "WHERE name = 'metrics.inference_seconds'")
            .bind(1, result.timingsJson)
            .run();
        done = true;
      });
  return done;
}

JobState JobStore::fail(int64_t id, const std::string& error, const RetryPolicy& policy,
                        int64_t now)
{
  JobState outcome = JobState::Failed;
  db_.transaction(
      [&]
      {
        const auto job = find(id);
        if (!job || job->state != JobState::Running)
        {
          outcome = job ? job->state : JobState::Failed;
          return;
        }
        if (job->attempts < job->maxAttempts)
        {
          auto requeue = db_.prepare("UPDATE jobs SET state = 'queued', run_after = ?, error = ?, "
                                     "updated_at = ? WHERE id = ?");
          requeue.bind(1, now + policy.delayAfter(job->attempts)).bind(2, error);
          update(requeue, id, now);
          outcome = JobState::Queued;
        }
        else
        {
          auto give_up =
              db_.prepare("UPDATE jobs SET state = 'failed', finished_at = ?, error = ?, "
                          "updated_at = ? WHERE id = ?");
          give_up.bind(1, now).bind(2, error);
          update(give_up, id, now);
          outcome = JobState::Failed;
        }
      });
  return outcome;
}

void JobStore::defer(int64_t id, int64_t runAfter, const std::string& reason, int64_t now)
{
  auto deferral = db_.prepare(
      "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), run_after = ?, "
      "error = ?, updated_at = ? WHERE state = 'running' AND id = ?");
  deferral.bind(1, runAfter).bind(2, reason);
  update(deferral, id, now);
}

bool JobStore::cancel(int64_t id, int64_t now)
{
  auto cancellation =
      db_.prepare("UPDATE jobs SET state = 'cancelled', finished_at = ?, updated_at = ? "
                  "WHERE state IN ('queued', 'running') AND id = ?");
  cancellation.bind(1, now);
  return update(cancellation, id, now);
}

bool JobStore::retry(int64_t id, int64_t now)
{
  auto again = db_.prepare(
      "UPDATE jobs SET state = 'queued', attempts = 0, run_after = ?, finished_at = NULL, "
      "updated_at = ? WHERE state IN ('failed', 'cancelled') AND id = ?");
  again.bind(1, now);
  return update(again, id, now);
}

std::vector<Job> JobStore::recoverInterrupted(int64_t now)
{
  std::vector<Job> recovered;
  db_.transaction(
      [&]
      {
        JobFilter running;
        running.state = JobState::Running;
        running.limit = 1 << 20; // all of them: one per worker in practice
        recovered = list(running);
        auto recover = db_.prepare("UPDATE jobs SET state = 'queued', run_after = ?, "
                                   "updated_at = ? WHERE state = 'running'");
        recover.bind(1, now).bind(2, now).run();
        for (auto& job : recovered)
        {
          job = *find(job.id);
        }
      });
  return recovered;
}

std::optional<Job> JobStore::find(int64_t id)
{
  auto query = db_.prepare(select("WHERE id = ?"));
  query.bind(1, id);
  return query.step() ? std::optional<Job>(readJob(query)) : std::nullopt;
}

std::vector<Job> JobStore::list(const JobFilter& filter)
{
  // Unset filters bind NULL, which the "? IS NULL OR" arms turn into no condition.
  auto query =
      db_.prepare(select("WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR task_id = ?2) "
                         "AND (?3 IS NULL OR series_id = ?3) AND (?4 IS NULL OR updated_at >= ?4) "
                         "ORDER BY id DESC LIMIT ?5"));
  filter.state ? query.bind(1, std::string(toString(*filter.state))) : query.bindNull(1);
  filter.taskId ? query.bind(2, *filter.taskId) : query.bindNull(2);
  filter.seriesId ? query.bind(3, *filter.seriesId) : query.bindNull(3);
  filter.updatedSince ? query.bind(4, *filter.updatedSince) : query.bindNull(4);
  query.bind(5, static_cast<int64_t>(std::max(0, filter.limit)));
  std::vector<Job> jobs;
  while (query.step())
  {
    jobs.push_back(readJob(query));
  }
  return jobs;
}

std::map<JobState, int64_t> JobStore::countByState()
{
  std::map<JobState, int64_t> counts;
  for (auto state : {JobState::Queued, JobState::Running, JobState::Succeeded, JobState::Failed,
                     JobState::Cancelled})
  {
    counts[state] = 0;
  }
  auto query = db_.prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state");
  while (query.step())
  {
    counts[parseJobState(query.columnText(0))] = query.columnInt(1);
  }
  return counts;
}

int64_t JobStore::countActiveForTask(const std::string& taskId)
{
  auto query =
      db_.prepare("SELECT COUNT(*) FROM jobs WHERE task_id = ? AND state IN ('queued', 'running')");
  query.bind(1, taskId);
  query.step();
  return query.columnInt(0);
}

bool JobStore::update(Statement& statement, int64_t id, int64_t now)
{
  // Every UPDATE above ends with "updated_at = ? ... id = ?": fill those two.
  bool changed = false;
  db_.transaction(
      [&]
      {
        statement.bindTrailing(now, id);
        statement.run();
        changed = db_.changes() > 0;
      });
  return changed;
}
} // namespace iris::storage
