// Entry points of libOrthancIris.so. Each one catches everything: no exception may cross the
// C ABI into Orthanc.
#include "OrthancPlugin/AdminRoutes.h"
#include "OrthancPlugin/HealthRoute.h"
#include "OrthancPlugin/OrthancExplorer.h"
#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/PluginSettings.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/ReferenceUploads.h"
#include "OrthancPlugin/SeriesRoutes.h"
#include "iris/Version.h"

#include <filesystem>
#include <orthanc/OrthancCPlugin.h>
#include <thread>

namespace
{
using namespace iris::plugin;

constexpr int kMinimumMajor = 1;
constexpr int kMinimumMinor = 10;
constexpr int kMinimumRevision = 1;

SettingsDefaults settingsDefaults()
{
  SettingsDefaults defaults;
  const std::filesystem::path configuration = configurationPath();
  std::error_code ec;
  defaults.configurationFolder = std::filesystem::is_directory(configuration, ec)
                                     ? configuration
                                     : configuration.parent_path();
  defaults.modelPath = IRIS_DEFAULT_MODEL_PATH;
  defaults.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return defaults;
}

// Runs on Orthanc's single change thread: hand over and return at once.
OrthancPluginErrorCode onChange(OrthancPluginChangeType change, OrthancPluginResourceType,
                                const char* resourceId)
{
  try
  {
    switch (change)
    {
    case OrthancPluginChangeType_OrthancStarted:
      pluginState().startWorkers();
      break;
    case OrthancPluginChangeType_OrthancStopped:
      pluginState().stopWorkers();
      break;
    case OrthancPluginChangeType_StableSeries:
      if (pluginState().watcher)
      {
        pluginState().watcher->notifyStableSeries(resourceId);
      }
      break;
    default:
      break;
    }
  }
  catch (const std::exception& error)
  {
    logError(std::string("change callback: ") + error.what());
  }
  catch (...)
  {
    logError("change callback: unknown error");
  }
  return OrthancPluginErrorCode_Success;
}

// The configuration file's tasks were just upserted and win over references added through the
// API, so uploaded files may have lost their last user while Orthanc was down.
void removeUploadsNoTaskUses()
{
  if (!pluginState().database)
  {
    return;
  }
  try
  {
    removeUnusedUploads(*pluginState().database);
  }
  catch (const std::exception& error)
  {
    logWarning(std::string("Could not clean up uploaded reference files: ") + error.what());
  }
}

int32_t initialize(OrthancPluginContext* context)
{
  setContext(context);
  if (!OrthancPluginCheckVersionAdvanced(context, kMinimumMajor, kMinimumMinor, kMinimumRevision))
  {
    logError(std::string(iris::kProductName) + " " + iris::kVersion +
             " needs Orthanc >= " + std::to_string(kMinimumMajor) + "." +
             std::to_string(kMinimumMinor) + "." + std::to_string(kMinimumRevision) +
             ", but this server is " + orthancVersion() + "; the plugin is not started");
    return -1;
  }
  OrthancPluginSetDescription(context, "Segmentation by example: runs the Iris network on "
                                       "arriving series and stores the result as DICOM-SEG.");

  const SettingsResult settings = parsePluginSettings(configurationJson(), settingsDefaults());
  for (const auto& warning : settings.warnings)
  {
    logWarning(warning);
  }
  setPluginState(buildPluginState(settings.settings));
  removeUploadsNoTaskUses();
  registerHealthRoute();
  registerSeriesRoutes();
  registerAdminRoutes();
  OrthancPluginRegisterOnChangeCallback(context, onChange);
  OrthancPluginExtendOrthancExplorer(context, orthancExplorerExtension());
  logInfo(std::string(iris::kProductName) + " " + iris::kVersion + " started");
  return 0;
}
} // namespace

extern "C"
{
  ORTHANC_PLUGINS_API int32_t OrthancPluginInitialize(OrthancPluginContext* context)
  {
    try
    {
      return initialize(context);
    }
    catch (const std::exception& error)
    {
      OrthancPluginLogError(context,
                            (std::string("Iris: start-up failed: ") + error.what()).c_str());
    }
    catch (...)
    {
      OrthancPluginLogError(context, "Iris: start-up failed with an unknown error");
    }
    return -1;
  }

  ORTHANC_PLUGINS_API void OrthancPluginFinalize()
  {
    try
    {
      logInfo("stopping");
      if (pluginState().stopWorkers())
      {
        setPluginState(nullptr);
      }
      else
      {
        leakPluginStateForAbandonedWorkers();
      }
    }
    catch (...)
    {
      // Orthanc is shutting down; there is nobody left to report to.
    }
  }

  ORTHANC_PLUGINS_API const char* OrthancPluginGetName()
  {
    return "iris";
  }

  ORTHANC_PLUGINS_API const char* OrthancPluginGetVersion()
  {
    return iris::kVersion;
  }
}
