#include "inference/IrisConfig.h"

#include <nlohmann/json.hpp>

namespace iris::inference
{
namespace
{
void require(bool condition, const std::string& message)
{
  if (!condition)
  {
    throw InvalidIrisConfig("Invalid Iris config: " + message);
  }
}

template <typename T> void readIfPresent(const nlohmann::json& json, const char* key, T& value)
{
  if (!json.contains(key) || json.at(key).is_null())
  {
    return;
  }
  try
  {
    value = json.at(key).get<T>();
  }
  catch (const nlohmann::json::exception& error)
  {
    throw InvalidIrisConfig(std::string("Invalid Iris config: key \"") + key +
                            "\" has the wrong type (" + error.what() + ")");
  }
}
} // namespace

IrisConfig IrisConfig::released()
{
  return IrisConfig{};
}

void IrisConfig::validate() const
{
  require(inChannels >= 1, "in_ch must be at least 1");
  require(channels.size() == 5, "channels must list 5 stage widths");
  for (int width : channels)
  {
    require(width >= 1, "channels must be positive");
  }
  require(scale == std::vector<int>(4, 2), "only scale [2,2,2,2] is supported");
  require(kernelSize == std::vector<int>(5, 3), "only kernel_size [3,3,3,3,3] is supported");
  require(block == "BasicBlock", "only block \"BasicBlock\" is supported, not \"" + block + "\"");
  require(numBlock.size() == 4, "num_block must list 4 counts");
  for (int count : numBlock)
  {
    require(count >= 1, "num_block entries must be at least 1");
  }
  require(pool, "only pool=true (MaxPool3d downsampling) is supported");
  require(norm == "in", "only norm \"in\" is supported, not \"" + norm + "\"");
  require(tn >= 1, "tn (memory-bank rows) must be at least 1");
  require(numPriorStage >= 1 && numPriorStage <= 3, "num_prior_stage must be 1, 2 or 3");
  for (int stage = 0; stage < numPriorStage; ++stage)
  {
    // nn.MultiheadAttention with heads = C // 32 needs at least one head.
    require(priorChannels(stage) >= 32 && priorChannels(stage) % 32 == 0,
            "channels of prior stage " + std::to_string(stage) +
                " must be a positive multiple of 32 (heads = C / 32), got " +
                std::to_string(priorChannels(stage)));
  }
  require(queryTokens >= 1, "num_query_tokens must be at least 1");
  require(patchSize >= sizeMultiple() && patchSize % sizeMultiple() == 0,
          "patch_size must be a positive multiple of " + std::to_string(sizeMultiple()));
}

nlohmann::json IrisConfig::toJson() const
{
  return nlohmann::json{{"in_ch", inChannels},
                        {"channels", channels},
                        {"scale", scale},
                        {"kernel_size", kernelSize},
                        {"block", block},
                        {"num_block", numBlock},
                        {"pool", pool},
                        {"norm", norm},
                        {"tn", tn},
                        {"num_prior_stage", numPriorStage},
                        {"ema_moment", emaMoment},
                        {"num_query_tokens", queryTokens},
                        {"patch_size", patchSize}};
}

IrisConfig IrisConfig::fromJson(const nlohmann::json& json)
{
  if (!json.is_object())
  {
    throw InvalidIrisConfig("Invalid Iris config: expected a JSON object, got " +
                            std::string(json.type_name()));
  }
  IrisConfig config;
  readIfPresent(json, "in_ch", config.inChannels);
  readIfPresent(json, "channels", config.channels);
  readIfPresent(json, "scale", config.scale);
  readIfPresent(json, "kernel_size", config.kernelSize);
  readIfPresent(json, "block", config.block);
  readIfPresent(json, "num_block", config.numBlock);
  readIfPresent(json, "pool", config.pool);
  readIfPresent(json, "norm", config.norm);
  readIfPresent(json, "tn", config.tn);
  readIfPresent(json, "num_prior_stage", config.numPriorStage);
  readIfPresent(json, "ema_moment", config.emaMoment);
  readIfPresent(json, "num_query_tokens", config.queryTokens);
  readIfPresent(json, "patch_size", config.patchSize);
  config.validate();
  return config;
}

std::string IrisConfig::toJsonString() const
{
  return toJson().dump();
}

IrisConfig IrisConfig::fromJsonString(const std::string& text)
{
  nlohmann::json json;
  try
  {
    json = nlohmann::json::parse(text);
  }
  catch (const nlohmann::json::exception& error)
  {
    throw InvalidIrisConfig(std::string("Iris config is not valid JSON: ") + error.what());
  }
  return fromJson(json);
}

bool IrisConfig::operator==(const IrisConfig& other) const
{
  return toJson() == other.toJson();
}
} // namespace iris::inference
