#pragma once

#include "storage/Database.h"

#include <optional>
#include <string>

namespace iris::storage
{
// The outcome the worker recorded for a succeeded job (the `results` table).
struct StoredResult
{
  int64_t jobId = 0;
  std::string sourceSeries;
  std::string segInstanceId;
  std::string segSeriesUid;
  std::string taskId;
  std::string modelId;
  std::string timingsJson;
  int64_t createdAt = 0;
};

// Read side of the results and the clean-up of a task's finished jobs, for the admin API and
// the metrics. Writing results stays with JobStore::succeed (one transaction with the state).
class JobHistory
{
public:
  explicit JobHistory(Database& database) : db_(database) {}

  std::optional<StoredResult> resultOf(int64_t jobId);
  std::optional<StoredResult> newestResult();
  int64_t resultCount();
  // Running totals over every job that ever succeeded, deleted tasks' included: SEGs stored, and
  // seconds spent in the network ("segment" in the timings).
  int64_t segsWritten();
  double inferenceSeconds();

  // Deletes the task with its references and its finished jobs (their results go with them), in
  // one transaction. Returns the number of queued or running jobs instead, and deletes nothing,
  // when there are some; -1 when there is no such task.
  int64_t removeTask(const std::string& taskId);

private:
  Database& db_;
};
} // namespace iris::storage
