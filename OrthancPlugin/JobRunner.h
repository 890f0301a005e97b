#pragma once

#include "OrthancPlugin/SeriesStatus.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "dicom/SegSource.h"
#include "inference/Segmenter.h"
#include "storage/Database.h"
#include "storage/Job.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace iris::plugin
{
struct RunnerSettings
{
  std::filesystem::path modelPath;
  std::string modelId;
  std::string device = "cpu";
  int threads = 1;
  storage::RetryPolicy retry;
  int64_t deferMs = 5'000; // how long a series that is not stable (yet again) waits
  size_t maxVolumeVoxels = size_t{256} << 20;
};

// Runs claimed jobs from series to stored SEG. Each worker slot owns its Segmenter, loaded on its
// first job (a model that cannot be loaded fails that job, and the next attempt tries again).
// Every exception ends as JobStore::fail with its reason; nothing escapes runNext.
class JobRunner
{
public:
  JobRunner(storage::Database& database, SeriesStatus& status, RunnerSettings settings,
            size_t workers);
  ~JobRunner();

  // Claims the most urgent due job and runs it in worker slot `worker`. False when none was due.
  bool runNext(size_t worker);

  // From now on, jobs still running stop before their next Orthanc or database call and stay
  // "running" in the database, so that recoverInterrupted re-runs them after the restart.
  void abandon() { abandoned_ = true; }
  std::vector<int64_t> runningJobs() const;
  // Worker slot `worker`'s model, loaded on first use; only that worker's thread may use it
  // (jobs and previews, see PreviewQueue). Throws when the model cannot be loaded.
  inference::Segmenter& segmenter(size_t worker);

private:
  void run(storage::Job job, size_t worker);
  // The series when it is stable and did not grow while loading; else why to defer the job.
  std::optional<dicom::SegSource> loadStableSeries(const storage::Job& job,
                                                   std::string& deferReason);
  // Reserves the UIDs, writes and uploads the SEG; Orthanc's answer plus "SegSeriesUid".
  nlohmann::json storeSeg(const storage::Job& job, const TaskDefinition& task,
                          const dicom::LabelVolume& labels, const dicom::SegSource& source);
  void recordFailure(const storage::Job& job, const std::string& reason, double seconds);
  void setStatus(const std::string& seriesId, const std::string& value);
  void checkNotAbandoned() const; // throws Abandoned

  storage::Database& database_;
  SeriesStatus& status_;
  RunnerSettings settings_;
  std::vector<std::unique_ptr<inference::Segmenter>> segmenters_;
  std::atomic<bool> abandoned_{false};
  mutable std::mutex mutex_;
  std::set<int64_t> running_;
};
} // namespace iris::plugin
