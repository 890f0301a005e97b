#include "OrthancPlugin/ModelRoutes.h"

#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/RestRouting.h"
#include "inference/Checkpoint.h"

#include <filesystem>
#include <mutex>
#include <optional>

namespace iris::plugin
{
namespace
{
namespace fs = std::filesystem;
using Json = nlohmann::json;

// Reading a checkpoint loads every tensor (hundreds of MB for the default model), so the summary
// is read once per file version, not per request.
class SummaryCache
{
public:
  // The summary, or the reason it cannot be read (then `error` is set).
  std::optional<inference::CheckpointSummary> get(const fs::path& path, std::string& error)
  {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec)
    {
      error = "cannot read " + path.string() + ": " + ec.message();
      return std::nullopt;
    }
    const auto written = fs::last_write_time(path, ec);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!summary_ || path != path_ || size != size_ || written != written_)
    {
      try
      {
        summary_ = inference::readCheckpointSummary(path);
        path_ = path;
        size_ = size;
        written_ = written;
      }
      catch (const std::exception& failure)
      {
        summary_.reset();
        error = failure.what();
        return std::nullopt;
      }
    }
    return summary_;
  }

private:
  std::mutex mutex_;
  std::optional<inference::CheckpointSummary> summary_;
  fs::path path_;
  uintmax_t size_ = 0;
  fs::file_time_type written_;
};

SummaryCache& summaryCache()
{
  static SummaryCache cache;
  return cache;
}

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
  if (const auto summary = summaryCache().get(state.settings.modelPath, error))
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
  const auto summary = summaryCache().get(state.settings.modelPath, error);
  if (!summary)
  {
    throw HttpError(503, "The model is unavailable: " + error);
  }
  return RestAnswer::json({{"model", state.modelId},
                           {"rows", summary->config.tn},
                           {"classes", memoryBankRows(*summary)}});
}
} // namespace

void registerModelRoutes()
{
  registerRoute({"/iris/models", models, {}, {}, {}});
  registerRoute({"/iris/memory-bank", memoryBank, {}, {}, {}});
}
} // namespace iris::plugin
