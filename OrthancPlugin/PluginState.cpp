#include "OrthancPlugin/PluginState.h"

#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/ConfiguredTasks.h"
#include "OrthancPlugin/JobLog.h"
#include "OrthancPlugin/ModelIdentity.h"
#include "OrthancPlugin/OrthancContext.h"
#include "storage/JobStore.h"

#include <algorithm>
#include <dlfcn.h>
#include <stdexcept>

namespace iris::plugin
{
namespace
{
std::unique_ptr<PluginState> globalState;

// Previews waiting or running at once; more are answered 503 (each holds an HTTP thread).
constexpr size_t kPreviewCapacity = 4;

// Inference runs on the selected device: one worker per GPU, else Iris.Workers workers on the CPU.
std::string runnerDevice(const PluginState& state)
{
  return state.deviceError.empty() ? state.device.selected : "cpu";
}

void buildPipeline(PluginState& state)
{
  const auto& settings = state.settings;
  state.status = std::make_unique<SeriesStatus>(settings.statusMetadataDeclared);
  RunnerSettings runner;
  runner.modelPath = settings.modelPath;
  runner.modelId = state.modelId;
  runner.device = runnerDevice(state);
  runner.retry.firstDelayMs = int64_t{settings.retryDelaySeconds} * 1000;
  runner.maxVolumeVoxels = settings.maxVolumeVoxels;
  const size_t workers = inferenceWorkerCount(settings, runner.device, state.device.gpuCount);
  // Iris.Threads is the total: each worker's OpenMP team is its share, so that concurrent jobs
  // do not oversubscribe the cores.
  const int threads = state.deviceError.empty() ? state.device.threads : settings.threads;
  runner.threads = std::max(1, threads / static_cast<int>(workers));
  state.runner = std::make_unique<JobRunner>(*state.database, *state.status, runner, workers);
  state.previews = std::make_unique<PreviewQueue>(kPreviewCapacity);
  state.workers = std::make_unique<WorkerPool>(
      workers,
      [runner = state.runner.get(), previews = state.previews.get()](size_t worker)
      { return previews->runNext(worker) || runner->runNext(worker); },
      std::chrono::seconds(1));
  state.onJobQueued =
      [status = state.status.get(), pool = state.workers.get()](const storage::Job& job)
  {
    logInfo(jobTransitionLine(job, "queued", 0.0));
    status->set(job.seriesId, seriesStatusValue("queued"));
    pool->wake();
  };
  state.watcher = std::make_unique<SeriesWatcher>(*state.database, state.modelId,
                                                  settings.maxAttempts,
                                                  settings.processExistingSeries,
                                                  state.onJobQueued);
}
} // namespace

std::unique_ptr<PluginState> buildPluginState(const PluginSettings& settings)
{
  auto state = std::make_unique<PluginState>();
  state->settings = settings;
  try
  {
    state->database = std::make_unique<storage::Database>(settings.databasePath);
    logInfo("Database " + settings.databasePath.string() + " at schema version " +
            std::to_string(state->database->schemaVersion()));
    for (const auto& problem : upsertConfiguredTasks(*state->database, settings.tasks,
                                                     settings.configurationFolder, nowMs()))
    {
      logWarning(problem);
    }
  }
  catch (const std::exception& error)
  {
    state->databaseError = error.what();
    logError("Iris.DatabasePath: " + state->databaseError +
             "; the plugin stays inactive until this is fixed");
  }
  try
  {
    state->device = inference::selectComputeDevice(settings.device, settings.threads);
    logInfo("Compute device " + state->device.selected + " (" + state->device.detail + "), " +
            std::to_string(state->device.threads) + " thread(s)");
  }
  catch (const std::exception& error)
  {
    state->deviceError = error.what();
    logError("Iris.Device: " + state->deviceError);
  }
  state->modelId = modelIdentity(settings.modelPath);
  if (state->database)
  {
    buildPipeline(*state);
  }
  return state;
}

void PluginState::startWorkers()
{
  if (!database)
  {
    return;
  }
  const auto recovered = storage::JobStore(*database).recoverInterrupted(nowMs());
  if (!recovered.empty())
  {
    logWarning(std::to_string(recovered.size()) +
               " job(s) were running when Orthanc stopped; they are queued again");
  }
  for (const auto& job : recovered)
  {
    logInfo(jobTransitionLine(job, "queued", 0.0, "interrupted: Orthanc stopped while it ran"));
  }
  watcher->start();
  workers->start();
  logInfo(std::to_string(workers->size()) + " inference worker(s) started on " +
          runnerDevice(*this));
}

bool PluginState::stopWorkers()
{
  if (watcher)
  {
    watcher->stop();
  }
  if (!workers)
  {
    return true;
  }
  // Once abandoned, always abandoned: a detached thread may still be leaving this library's code
  // even after its job ended, so the state must never be freed.
  if (workersAbandoned)
  {
    return false;
  }
  const auto grace = std::chrono::seconds(settings.shutdownGraceSeconds);
  if (workers->stop(grace))
  {
    return true;
  }
  workersAbandoned = true;
  runner->abandon();
  for (const auto id : runner->runningJobs())
  {
    logWarning("job " + std::to_string(id) + " is still running after " +
               std::to_string(grace.count()) +
               " s; it is abandoned and runs again after the restart");
  }
  return false;
}

PluginState& pluginState()
{
  if (!globalState)
  {
    throw std::logic_error("The Iris plugin state is used before initialisation");
  }
  return *globalState;
}

void setPluginState(std::unique_ptr<PluginState> state)
{
  globalState = std::move(state);
}

void leakPluginStateForAbandonedWorkers()
{
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&leakPluginStateForAbandonedWorkers), &self) != 0 &&
      self.dli_fname != nullptr)
  {
    // The extra reference is never closed on purpose.
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  }
  static_cast<void>(globalState.release());
}
} // namespace iris::plugin
