#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace iris::storage
{
enum class JobState
{
  Queued,
  Running,
  Succeeded,
  Failed,
  Cancelled
};

const char* toString(JobState state);
// Throws StorageError naming the text when it is no state.
JobState parseJobState(const std::string& text);

// One segmentation of one series by one task with one model. `generation` counts explicit
// re-runs: (series, task, model, generation) is unique, which is what makes a SEG exactly-once.
struct Job
{
  int64_t id = 0;
  std::string seriesId;
  std::string taskId;
  std::string modelId;
  int generation = 0;
  JobState state = JobState::Queued;
  int priority = 0;
  int attempts = 0;
  int maxAttempts = 0;
  int64_t runAfter = 0;
  // Chosen before the first upload and reused by every later attempt, so an upload whose
  // outcome was lost in a crash is answered "AlreadyStored" instead of making a second SEG.
  std::optional<std::string> segSeriesUid;
  std::optional<std::string> segInstanceUid;
  std::optional<std::string> error;
  int64_t createdAt = 0;
  int64_t updatedAt = 0;
  std::optional<int64_t> startedAt;
  std::optional<int64_t> finishedAt;
  // A manual run's strategy when it differs from the task's; empty: the task's.
  std::optional<std::string> strategy;
};

struct NewJob
{
  std::string seriesId;
  std::string taskId;
  std::string modelId;
  int priority = 0;
  int maxAttempts = 3;
  std::optional<std::string> strategy;
};

// Exponential back-off between failed attempts.
struct RetryPolicy
{
  int64_t firstDelayMs = 10'000;
  double factor = 3.0;
  int64_t maxDelayMs = 15 * 60'000;

  int64_t delayAfter(int attempts) const;
};

struct JobResult
{
  std::string segInstanceId; // Orthanc's id of the stored SEG instance
  std::string segSeriesUid;
  std::string timingsJson;
};

struct JobFilter
{
  std::optional<JobState> state;
  std::optional<std::string> taskId;
  std::optional<std::string> seriesId;
  std::optional<int64_t> updatedSince;
  int limit = 100;
};
} // namespace iris::storage
