#pragma once

#include "OrthancPlugin/JobRunner.h"
#include "OrthancPlugin/PluginSettings.h"
#include "OrthancPlugin/PreviewQueue.h"
#include "OrthancPlugin/SeriesStatus.h"
#include "OrthancPlugin/SeriesWatcher.h"
#include "OrthancPlugin/WorkerPool.h"
#include "inference/ComputeDevice.h"
#include "storage/Database.h"

#include <memory>
#include <string>

namespace iris::plugin
{
// What the plugin built at start-up. A part that could not be built keeps the reason instead,
// so the plugin answers /iris/health with the cause rather than taking Orthanc down.
struct PluginState
{
  PluginSettings settings;
  std::unique_ptr<storage::Database> database;
  std::string databaseError;
  inference::ComputeDevice device;
  std::string deviceError;
  std::string modelId;
  // Present when the database is; started once Orthanc is up (OrthancStarted).
  std::unique_ptr<SeriesStatus> status;
  std::unique_ptr<SeriesWatcher> watcher;
  std::unique_ptr<JobRunner> runner;
  // Task previews (POST /iris/tasks/{id}/preview), run by the workers ahead of queued jobs;
  // declared before `workers`, which use it, so that it outlives them.
  std::unique_ptr<PreviewQueue> previews;
  std::unique_ptr<WorkerPool> workers;
  // What follows a new queued job (log line, series status, waking the workers); the watcher
  // and the admin API's manual runs and retries call it.
  SeriesWatcher::QueuedHook onJobQueued;
  bool workersAbandoned = false;

  // Re-queues jobs a crash left running, then starts the watcher and the workers.
  void startWorkers();
  // Idempotent. Waits up to Iris.ShutdownGraceSeconds for running jobs; false when some were
  // abandoned (they run again after the restart): then this state must be leaked, not freed.
  bool stopWorkers();
};

// Opens the database, upserts the configured tasks and selects the device; failures are logged
// and kept in the state.
std::unique_ptr<PluginState> buildPluginState(const PluginSettings& settings);

// The one plugin state, owned by Plugin.cpp between Initialize and Finalize.
PluginState& pluginState();
void setPluginState(std::unique_ptr<PluginState> state);
// For when stopWorkers() abandoned jobs: their threads still use the state and this library's
// code, so the state is leaked and the library pinned in memory (dlclose leaves it mapped) until
// the process exits.
void leakPluginStateForAbandonedWorkers();
} // namespace iris::plugin
