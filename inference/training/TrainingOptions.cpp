#include "inference/training/TrainingOptions.h"

#include "inference/training/Manifest.h"

#include <nlohmann/json.hpp>

namespace iris::inference::training
{
IrisConfig TrainingOptions::defaultModelConfig()
{
  IrisConfig config;
  config.channels = {16, 32, 64, 128, 256};
  config.numBlock = {1, 1, 1, 1};
  config.queryTokens = 4;
  config.patchSize = 48;
  config.tn = 256;
  return config;
}

void TrainingOptions::applyJson(const std::string& jsonText)
{
  nlohmann::json json;
  try
  {
    json = nlohmann::json::parse(jsonText);
  }
  catch (const nlohmann::json::exception& error)
  {
    throw TrainingError(std::string("The training config is not valid JSON: ") + error.what());
  }
  if (!json.is_object())
  {
    throw TrainingError("The training config must be a JSON object");
  }
  try
  {
    if (json.contains("model"))
    {
      auto merged = model.toJson();
      merged.update(json["model"]);
      model = IrisConfig::fromJson(merged);
    }
    steps = json.value("steps", steps);
    spacingMm = json.value("spacing_mm", spacingMm);
    crop = json.value("crop", crop);
    datasets = json.value("datasets", datasets);
    datasetWeights = json.value("dataset_weights", datasetWeights);
    otherWeight = json.value("other_weight", otherWeight);
    syntheticRatio = json.value("synthetic_ratio", syntheticRatio);
    maxClasses = json.value("max_classes", maxClasses);
    episodesPerStep = json.value("episodes_per_step", episodesPerStep);
    learningRate = json.value("learning_rate", learningRate);
    weightDecay = json.value("weight_decay", weightDecay);
    warmupFraction = json.value("warmup_fraction", warmupFraction);
    finalLearningRateFraction =
        json.value("final_learning_rate_fraction", finalLearningRateFraction);
    gradientClip = json.value("gradient_clip", gradientClip);
    emaDecay = json.value("ema_decay", emaDecay);
    memoryBankMoment = json.value("memory_bank_moment", memoryBankMoment);
    bankEpisodeProbability = json.value("bank_episode_probability", bankEpisodeProbability);
    bankAlignmentWeight = json.value("bank_alignment_weight", bankAlignmentWeight);
    bankLearningRateScale = json.value("bank_learning_rate_scale", bankLearningRateScale);
    classSeparationWeight = json.value("class_separation_weight", classSeparationWeight);
    classSeparationMargin = json.value("class_separation_margin", classSeparationMargin);
    centredQueryProbability = json.value("centred_query_probability", centredQueryProbability);
    checkpointEvery = json.value("checkpoint_every", checkpointEvery);
    logEvery = json.value("log_every", logEvery);
    device = json.value("device", device);
  }
  catch (const nlohmann::json::exception& error)
  {
    throw TrainingError(std::string("The training config has a wrongly typed value: ") +
                        error.what());
  }
  model.validate();
}

std::string TrainingOptions::toJsonString() const
{
  nlohmann::json json{{"model", model.toJson()},
                      {"steps", steps},
                      {"seed", seed},
                      {"spacing_mm", spacingMm},
                      {"crop", cropEdge()},
                      {"datasets", datasets},
                      {"dataset_weights", datasetWeights},
                      {"other_weight", otherWeight},
                      {"synthetic_ratio", syntheticRatio},
                      {"max_classes", maxClasses},
                      {"episodes_per_step", episodesPerStep},
                      {"learning_rate", learningRate},
                      {"weight_decay", weightDecay},
                      {"warmup_fraction", warmupFraction},
                      {"final_learning_rate_fraction", finalLearningRateFraction},
                      {"gradient_clip", gradientClip},
                      {"ema_decay", emaDecay},
                      {"memory_bank_moment", memoryBankMoment},
                      {"bank_episode_probability", bankEpisodeProbability},
                      {"bank_alignment_weight", bankAlignmentWeight},
                      {"bank_learning_rate_scale", bankLearningRateScale},
                      {"class_separation_weight", classSeparationWeight},
                      {"class_separation_margin", classSeparationMargin},
                      {"centred_query_probability", centredQueryProbability},
                      {"threads", threads},
                      {"device", device}};
  return json.dump(1);
}
} // namespace iris::inference::training
