#include "OrthancPlugin/PluginMetrics.h"

#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/PluginState.h"
#include "storage/JobHistory.h"
#include "storage/JobStore.h"

#include <nlohmann/json.hpp>
#include <orthanc/OrthancCPlugin.h>

namespace iris::plugin
{
namespace
{
void setMetric(const std::string& name, double value)
{
  OrthancPluginSetMetricsValue(context(), name.c_str(), static_cast<float>(value),
                               OrthancPluginMetricsType_Default);
}

void refreshMetrics()
{
  try
  {
    PluginState& state = pluginState();
    setMetric("iris_workers", state.workers ? static_cast<double>(state.workers->size()) : 0.0);
    if (!state.database)
    {
      return;
    }
    const auto counts = storage::JobStore(*state.database).countByState();
    for (const auto& [jobState, count] : counts)
    {
      setMetric(std::string("iris_jobs_") + storage::toString(jobState),
                static_cast<double>(count));
    }
    setMetric("iris_queue_depth", static_cast<double>(counts.at(storage::JobState::Queued)));
    storage::JobHistory history(*state.database);
    setMetric("iris_segs_written_total", static_cast<double>(history.segsWritten()));
    setMetric("iris_inference_seconds_total", history.inferenceSeconds());
    if (const auto newest = history.newestResult())
    {
      const auto timings = nlohmann::json::parse(newest->timingsJson);
      setMetric("iris_last_job_inference_seconds", timings.value("segment", 0.0));
      setMetric("iris_last_job_seconds", timings.value("total", 0.0));
    }
  }
  catch (const std::exception& error)
  {
    // Runs on Orthanc's HTTP thread; a failed refresh keeps the previous values.
    logWarning(std::string("metrics refresh: ") + error.what());
  }
  catch (...)
  {
    logWarning("metrics refresh: unknown error");
  }
}
} // namespace

void registerMetrics()
{
  OrthancPluginRegisterRefreshMetricsCallback(context(), refreshMetrics);
}
} // namespace iris::plugin
