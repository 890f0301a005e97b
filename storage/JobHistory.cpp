#include "storage/JobHistory.h"

#include "storage/JobStore.h"
#include "storage/TaskStore.h"

namespace iris::storage
{
namespace
{
constexpr const char* kResultColumns = "job_id, source_series, seg_instance_id, seg_series_uid, "
                                       "task_id, model_id, timings, created_at";

StoredResult readResult(const Statement& row)
{
  StoredResult result;
  result.jobId = row.columnInt(0);
  result.sourceSeries = row.columnText(1);
  result.segInstanceId = row.columnText(2);
  result.segSeriesUid = row.columnText(3);
  result.taskId = row.columnText(4);
  result.modelId = row.columnText(5);
  result.timingsJson = row.columnText(6);
  result.createdAt = row.columnInt(7);
  return result;
}
} // namespace

std::optional<StoredResult> JobHistory::resultOf(int64_t jobId)
{
  auto query =
      db_.prepare(std::string("SELECT ") + kResultColumns + " FROM results WHERE job_id = ?");
  query.bind(1, jobId);
  return query.step() ? std::optional<StoredResult>(readResult(query)) : std::nullopt;
}

std::optional<StoredResult> JobHistory::newestResult()
{
  auto query = db_.prepare(std::string("SELECT ") + kResultColumns +
                           " FROM results ORDER BY id DESC LIMIT 1");
  return query.step() ? std::optional<StoredResult>(readResult(query)) : std::nullopt;
}

int64_t JobHistory::resultCount()
{
  auto query = db_.prepare("SELECT COUNT(*) FROM results");
  query.step();
  return query.columnInt(0);
}

int64_t JobHistory::segsWritten()
{
  auto query = db_.prepare(
      "SELECT CAST(value AS INTEGER) FROM properties WHERE name = 'metrics.segs_written'");
  return query.step() ? query.columnInt(0) : 0;
}

double JobHistory::inferenceSeconds()
{
  auto query = db_.prepare(
      "SELECT CAST(value AS REAL) FROM properties WHERE name = 'metrics.inference_seconds'");
  return query.step() ? query.columnDouble(0) : 0.0;
}

int64_t JobHistory::removeTask(const std::string& taskId)
{
  int64_t outcome = 0;
  db_.transaction(
      [&]
      {
        TaskStore tasks(db_);
        if (!tasks.find(taskId))
        {
          outcome = -1;
          return;
        }
        outcome = JobStore(db_).countActiveForTask(taskId);
        if (outcome > 0)
        {
          return;
        }
        auto finished = db_.prepare("DELETE FROM jobs WHERE task_id = ?");
        finished.bind(1, taskId);
        finished.run();
        tasks.remove(taskId);
      });
  return outcome;
}
} // namespace iris::storage
