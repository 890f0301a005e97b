#pragma once

#include "OrthancPlugin/PluginSettings.h"
#include "OrthancPlugin/SeriesWatcher.h"
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
  std::unique_ptr<SeriesWatcher> watcher;

  void startWorkers();
  void stopWorkers(); // idempotent
};

// Opens the database, upserts the configured tasks and selects the device; failures are logged
// and kept in the state.
std::unique_ptr<PluginState> buildPluginState(const PluginSettings& settings);

// The one plugin state, owned by Plugin.cpp between Initialize and Finalize.
PluginState& pluginState();
void setPluginState(std::unique_ptr<PluginState> state);
} // namespace iris::plugin
