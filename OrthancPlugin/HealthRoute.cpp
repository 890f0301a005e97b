#include "OrthancPlugin/HealthRoute.h"

#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/RestRouting.h"
#include "iris/Version.h"
#include "storage/JobStore.h"

#include <filesystem>

namespace iris::plugin
{
namespace
{
nlohmann::json databaseReport(PluginState& state)
{
  nlohmann::json report = {{"path", state.settings.databasePath.string()}};
  if (!state.database)
  {
    report["state"] = "error";
    report["error"] = state.databaseError;
    return report;
  }
  try
  {
    report["schemaVersion"] = state.database->schemaVersion();
    report["journalMode"] = state.database->journalMode();
    report["state"] = "ok";
  }
  catch (const std::exception& error)
  {
    report["state"] = "error";
    report["error"] = error.what();
  }
  return report;
}

nlohmann::json modelReport(const PluginState& state)
{
  const auto& path = state.settings.modelPath;
  std::error_code ec;
  const bool present = std::filesystem::is_regular_file(path, ec);
  nlohmann::json report = {{"path", path.string()}, {"state", present ? "available" : "missing"}};
  if (present)
  {
    report["bytes"] = std::filesystem::file_size(path, ec);
  }
  return report;
}

nlohmann::json deviceReport(const PluginState& state)
{
  if (!state.deviceError.empty())
  {
    return {{"state", "error"}, {"error", state.deviceError}};
  }
  return {{"state", "ok"},
          {"requested", state.device.requested},
          {"selected", state.device.selected},
          {"detail", state.device.detail},
          {"threads", state.device.threads}};
}

// Queue depth by state and the worker count, so an admin sees at once whether work piles up.
nlohmann::json jobsReport(PluginState& state)
{
  nlohmann::json report = {{"workers", state.workers ? state.workers->size() : 0}};
  if (!state.database)
  {
    return report;
  }
  try
  {
    for (const auto& [jobState, count] : storage::JobStore(*state.database).countByState())
    {
      report[storage::toString(jobState)] = count;
    }
  }
  catch (const std::exception& error)
  {
    report["error"] = error.what();
  }
  return report;
}

RestAnswer health(const RestRequest&)
{
  PluginState& state = pluginState();
  nlohmann::json report = {{"plugin", kProductName},
                           {"version", kVersion},
                           {"orthancVersion", orthancVersion()},
                           {"database", databaseReport(state)},
                           {"model", modelReport(state)},
                           {"device", deviceReport(state)},
                           {"jobs", jobsReport(state)}};
  const bool healthy = report["database"]["state"] == "ok" && report["device"]["state"] == "ok";
  report["status"] = healthy ? "ok" : "degraded";
  return RestAnswer::json(report);
}
} // namespace

void registerHealthRoute()
{
  Route route;
  route.regex = "/iris/health";
  route.get = health;
  registerRoute(std::move(route));
}
} // namespace iris::plugin
