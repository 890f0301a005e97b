#include "OrthancPlugin/PluginState.h"

#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/ConfiguredTasks.h"
#include "OrthancPlugin/ModelIdentity.h"
#include "OrthancPlugin/OrthancContext.h"

#include <stdexcept>

namespace iris::plugin
{
namespace
{
std::unique_ptr<PluginState> globalState;
}

std::unique_ptr<PluginState> buildPluginState(const PluginSettings& settings)
{
  auto state = std::make_unique<PluginState>();
  state->settings = settings;
  try
  {
    state->database = std::make_unique<storage::Database>(settings.databasePath);
    logInfo("Database " + settings.databasePath.string() + " at schema version " +
            std::to_string(state->database->schemaVersion()));
    for (const auto& problem : upsertConfiguredTasks(*state->database, settings.tasks, nowMs()))
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
    state->watcher = std::make_unique<SeriesWatcher>(*state->database, state->modelId);
  }
  return state;
}

void PluginState::startWorkers()
{
  if (watcher)
  {
    watcher->start();
  }
}

void PluginState::stopWorkers()
{
  if (watcher)
  {
    watcher->stop();
  }
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
} // namespace iris::plugin
