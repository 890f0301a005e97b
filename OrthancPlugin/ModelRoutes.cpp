#include "OrthancPlugin/ModelRoutes.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/CheckpointSummaryCache.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/RestRouting.h"
#include "storage/MemoryBankStore.h"

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

Json memoryBankRows(const inference::CheckpointSummary& summary)
{
  Json rows = Json::array();
  for (size_t row = 0; row < summary.memoryBankClasses.size(); ++row)
  {
    rows.push_back({{"row", row}, {"name", summary.memoryBankClasses[row]}});
  }
  return rows;
}

RestAnswer models(const RestRequest&)
{
  const PluginState& state = pluginState();
  Json model = {{"path", state.settings.modelPath.string()},
                {"id", state.modelId},
                {"device",
                 {{"requested", state.settings.device},
                  {"selected", state.deviceError.empty() ? state.device.selected : "cpu"},
                  {"error", state.deviceError.empty() ? Json(nullptr) : Json(state.deviceError)}}}};
  std::string error;
  if (const auto summary = cachedCheckpointSummary(state.settings.modelPath, error))
  {
    model["state"] = "available";
    model["config"] = summary->config.toJson();
    model["spacingMm"] = summary->spacingMm ? Json(*summary->spacingMm) : Json(nullptr);
    model["memoryBankRows"] = summary->config.tn;
    model["memoryBankClasses"] = summary->memoryBankClasses;
  }
  else
  {
    model["state"] = "unavailable";
    model["error"] = error;
  }
  return RestAnswer::json({{"models", Json::array({model})}});
}

RestAnswer memoryBank(const RestRequest&)
{
  const PluginState& state = pluginState();
  std::string error;
  const auto summary = cachedCheckpointSummary(state.settings.modelPath, error);
  if (!summary)
  {
    throw HttpError(503, "The model is unavailable: " + error);
  }
  // Classes imported through POST /iris/memory-bank/import (docs/admin-api.md).
  Json imported = Json::array();
  for (const auto& importedClass : storage::MemoryBankStore(adminDatabase()).list(state.modelId))
  {
    imported.push_back({{"name", importedClass.name}, {"updatedAt", importedClass.updatedAt}});
  }
  return RestAnswer::json({{"model", state.modelId},
                           {"rows", summary->config.tn},
                           {"classes", memoryBankRows(*summary)},
                           {"imported", imported}});
}
} // namespace

void registerModelRoutes()
{
  registerRoute({"/iris/models", models, {}, {}, {}});
  registerRoute({"/iris/memory-bank", memoryBank, {}, {}, {}});
}
} // namespace iris::plugin
