#include "OrthancPlugin/JobRunner.h"

#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/JobLog.h"
#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/OrthancSeriesLoader.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "OrthancPlugin/TaskRequest.h"
#include "dicom/SegDicomIo.h"
#include "dicom/SegWriter.h"
#include "iris/Version.h"
#include "storage/JobStore.h"
#include "storage/TaskStore.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxLongString = 64; // DICOM LO

// Thrown when the job is left for after the restart (see JobRunner::abandon).
struct Abandoned
{
};

double secondsSince(SteadyClock::time_point start)
{
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Series id, instance count and stability as Orthanc sees them now.
struct SeriesState
{
  size_t instances = 0;
  bool stable = false;
};

SeriesState seriesState(const std::string& seriesId)
{
  const auto series = restGetJson("/series/" + seriesId);
  return {series.at("Instances").size(), series.value("IsStable", true)};
}

TaskDefinition loadTask(storage::Database& database, const std::string& taskId)
{
  const auto stored = storage::TaskStore(database).find(taskId);
  if (!stored)
  {
    throw std::runtime_error("task \"" + taskId + "\" no longer exists");
  }
  auto task = TaskDefinition::parse(Json::parse(stored->definitionJson), stored->id);
  if (!task.enabled)
  {
    throw std::runtime_error("task \"" + taskId + "\" is disabled");
  }
  return task;
}
} // namespace

JobRunner::JobRunner(storage::Database& database, SeriesStatus& status, RunnerSettings settings,
                     size_t workers)
    : database_(database), status_(status), settings_(std::move(settings)), segmenters_(workers)
{
}

JobRunner::~JobRunner() = default;

std::vector<int64_t> JobRunner::runningJobs() const
{
  std::lock_guard<std::mutex> lock(mutex_);
  return {running_.begin(), running_.end()};
}

inference::Segmenter& JobRunner::segmenter(size_t worker)
{
  auto& slot = segmenters_.at(worker);
  if (!slot)
  {
    inference::SegmenterOptions options;
    options.model = settings_.modelPath;
    options.device = settings_.device;
    options.gpuIndex = settings_.device == "cuda" ? static_cast<int>(worker) : 0;
    options.threads = settings_.threads;
    const auto start = SteadyClock::now();
    slot = std::make_unique<inference::Segmenter>(options);
    logInfo("worker " + std::to_string(worker) + ": model " + settings_.modelPath.string() +
            " loaded on " + slot->device() + " in " + std::to_string(secondsSince(start)) + " s");
  }
  return *slot;
}

void JobRunner::setStatus(const std::string& seriesId, const std::string& value)
{
  checkNotAbandoned();
  status_.set(seriesId, value);
}

bool JobRunner::runNext(size_t worker)
{
  if (abandoned_)
  {
    return false;
  }
  std::optional<storage::Job> job;
  try
  {
    job = storage::JobStore(database_).claimNext(nowMs());
  }
  catch (const std::exception& error)
  {
    // The worker sleeps its idle poll and tries again; the queue stays as it was.
    logError("worker " + std::to_string(worker) + ": cannot claim a job: " + error.what());
    return false;
  }
  if (!job)
  {
    return false;
  }
  // Each claim counts an attempt, and a job that killed Orthanc (out of memory, say) is claimed
  // again after every restart without ever reaching fail(): stop it once its attempts are spent.
  if (job->attempts > job->maxAttempts)
  {
    recordFailure(*job, "attempts spent: Orthanc stopped or crashed during the last one", 0.0);
    return true;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_.insert(job->id);
  }
  run(*job, worker);
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(job->id);
  return true;
}

void JobRunner::checkNotAbandoned() const
{
  if (abandoned_)
  {
    throw Abandoned{};
  }
}

std::optional<dicom::SegSource> JobRunner::loadStableSeries(const storage::Job& job,
                                                            std::string& deferReason)
{
  // Stability is node-local and the series may grow while it loads: compare before and after.
  const auto before = seriesState(job.seriesId);
  dicom::SeriesReadOptions options;
  options.cap.voxels = settings_.maxVolumeVoxels;
  auto source = before.stable ? loadSeriesFromOrthanc(job.seriesId, options) : dicom::SegSource{};
  const auto after = seriesState(job.seriesId);
  if (before.stable && after.stable && after.instances == before.instances &&
      !source.series.slices.empty())
  {
    return source;
  }
  deferReason =
      "series not stable or still growing (" + std::to_string(after.instances) + " instances)";
  return std::nullopt;
}

Json JobRunner::storeSeg(const storage::Job& job, const TaskDefinition& task,
                         const dicom::LabelVolume& labels, const dicom::SegSource& source)
{
  // Reserved before the first upload: a retry after a crash re-sends the same UIDs, which
  // Orthanc answers with AlreadyStored instead of storing a second SEG.
  const auto reserved = storage::JobStore(database_).reserveSegUids(job.id, dicom::newUid(""),
                                                                    dicom::newUid(""), nowMs());
  dicom::SegWriteOptions options;
  options.seriesDescription = ("Iris: " + task.id).substr(0, kMaxLongString);
  options.softwareVersion = kVersion;
  options.seriesInstanceUid = *reserved.segSeriesUid;
  options.sopInstanceUid = *reserved.segInstanceUid;
  const auto bytes = dicom::writeSeg(labels, segmentDescriptions(task, settings_.modelId),
                                     source.series, source.attributes, options);
  checkNotAbandoned();
  auto answer = restPostJson("/instances", std::string(bytes.begin(), bytes.end()));
  answer["SegSeriesUid"] = *reserved.segSeriesUid;
  return answer;
}

void JobRunner::run(storage::Job job, size_t worker)
{
  const auto start = SteadyClock::now();
  storage::JobStore jobs(database_);
  logInfo(jobTransitionLine(job, "running", 0.0));
  try
  {
    setStatus(job.seriesId, seriesStatusValue("running"));
    auto task = loadTask(database_, job.taskId);
    if (job.strategy)
    {
      task = task.withStrategy(*job.strategy);
    }
    // What the job ran with, beside its timings: a manual run may override the task's strategy.
    Json timings = {{"strategy", task.strategy}};
    if (task.spacingMm)
    {
      timings["spacingMm"] = *task.spacingMm;
    }
    auto step = SteadyClock::now();
    const auto lap = [&step](Json& slot)
    {
      slot = secondsSince(step);
      step = SteadyClock::now();
    };

    std::string deferReason;
    const auto source = loadStableSeries(job, deferReason);
    if (!source)
    {
      checkNotAbandoned();
      jobs.defer(job.id, nowMs() + settings_.deferMs, deferReason, nowMs());
      logInfo(jobTransitionLine(job, "deferred", secondsSince(start), deferReason));
      setStatus(job.seriesId, seriesStatusValue("queued"));
      return;
    }
    lap(timings["load"]);
    auto& model = segmenter(worker);
    lap(timings["model"]);
    const auto built = buildTaskRequest(task, database_, model, settings_.modelId);
    lap(timings["references"]);
    timings["cachedEmbeddings"] = built.cachedEmbeddings;
    timings["encodedReferences"] = built.encodedReferences;
    const auto result = model.segment(source->series.image, source->series.modality, built.request);
    lap(timings["segment"]);
    for (const auto& stage : result.timings)
    {
      timings["stages"][stage.stage] = stage.seconds;
    }
    for (const auto& warning : result.warnings)
    {
      logWarning("job " + std::to_string(job.id) + ": " + warning);
    }
    checkNotAbandoned();

    const auto answer = storeSeg(job, task, result.labels, *source);
    lap(timings["store"]);
    const std::string segSeries = answer.value("ParentSeries", "");
    timings["uploadStatus"] = answer.value("Status", "");
    timings["segSeriesId"] = segSeries;
    timings["total"] = secondsSince(start);
    checkNotAbandoned();
    if (!jobs.succeed(job.id,
                      {answer.at("ID").get<std::string>(),
                       answer.at("SegSeriesUid").get<std::string>(), timings.dump()},
                      nowMs()))
    {
      logInfo(jobTransitionLine(job, "cancelled", secondsSince(start),
                                "cancelled while running; the SEG stays stored"));
      return;
    }
    logInfo(jobTransitionLine(job, "succeeded", secondsSince(start),
                              "SEG series " + segSeries + " (" +
                                  answer.value("Status", std::string("?")) + ")"));
    setStatus(job.seriesId, seriesStatusValue("done", segSeries));
  }
  catch (const Abandoned&)
  {
    logWarning(jobTransitionLine(job, "abandoned", secondsSince(start),
                                 "Orthanc is stopping; the job runs again after the restart"));
  }
  catch (const std::exception& error)
  {
    recordFailure(job, error.what(), secondsSince(start));
  }
}

void JobRunner::recordFailure(const storage::Job& job, const std::string& reason, double seconds)
{
  if (abandoned_)
  {
    return;
  }
  try
  {
    const auto state = storage::JobStore(database_).fail(job.id, reason, settings_.retry, nowMs());
    logWarning(jobTransitionLine(job, storage::toString(state), seconds, reason));
    status_.set(
        job.seriesId,
        seriesStatusValue(state == storage::JobState::Failed ? "failed" : "retrying", reason));
  }
  catch (const std::exception& storageError)
  {
    logError("job " + std::to_string(job.id) + ": cannot record its failure (" +
             storageError.what() + "); it is recovered at the next start");
  }
}
} // namespace iris::plugin
