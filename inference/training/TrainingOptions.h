#pragma once

// Torch-free description of a training run, for the CLI.
#include "inference/IrisConfig.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace iris::inference::training
{
struct TrainingOptions
{
  std::filesystem::path manifest;
  std::filesystem::path outDir;
  IrisConfig model = defaultModelConfig();
  int64_t steps = 1000;
  uint64_t seed = 1;
  bool resume = false;
  int64_t stopAt = 0; // > 0: save the state and stop once this many steps are done (tests)
  int threads = 2;
  std::string device = "cpu"; // cpu, cuda or auto (exact resume is only promised on the CPU)
  int64_t checkpointEvery = 200;
  int64_t logEvery = 10;
  double spacingMm = 1.0;
  int crop = 0; // training crop edge (multiple of 16); 0: the model's patch size
  // Datasets to train on (their train split; unsplit datasets count as training data).
  std::vector<std::string> datasets{"msd_hippocampus", "sct_spinalcord", "sts_sarcoma",
                                    "mricron_colin27", "itksnap_mricrop"};
  // Episode weight per dataset; datasets not listed share `otherWeight`.
  std::map<std::string, double> datasetWeights{{"msd_hippocampus", 0.6}};
  double otherWeight = 0.25; // shared by every other real dataset
  double syntheticRatio = 0.15;
  int maxClasses = 3; // K per episode is drawn in 1..maxClasses
  int episodesPerStep = 1;
  double learningRate = 2e-3;
  double weightDecay = 1e-5;
  double warmupFraction = 0.05;
  double finalLearningRateFraction = 0.02;
  double gradientClip = 1.0;
  double emaDecay = 0.995;        // weight EMA (shipped weights)
  double memoryBankMoment = 0.99; // bank row <- moment * row + (1 - moment) * embedding
  // Trained memory bank (either > 0): the bank rows become class prototypes learnt by the
  // segmentation loss, and the shipped bank is their weight EMA instead of an EMA of reference
  // embeddings. A real episode decodes its query from its classes' rows with this probability
  // (skipping the reference), else from its reference, whose embedding is then pulled towards
  // the rows by (1 - cosine) times the alignment weight: the reference must say which class.
  double bankEpisodeProbability = 0.0;
  double bankAlignmentWeight = 0.0;
  double bankLearningRateScale = 10.0; // the rows' peak rate, relative to learningRate
  // Auxiliary loss (weight 0: off) that keeps the class head from giving every class of an
  // episode the same classifier weights (TrainingLoss.h, classSeparationLoss).
  double classSeparationWeight = 0.0;
  double classSeparationMargin = 0.4;
  double centredQueryProbability = 0.3;

  static IrisConfig defaultModelConfig();
  // Overrides from a JSON object: {"model": {...IrisConfig keys...}, "learning_rate": ...}.
  void applyJson(const std::string& jsonText);
  std::string toJsonString() const;
  int cropEdge() const { return crop > 0 ? crop : model.patchSize; }
  bool trainsMemoryBank() const
  {
    return bankEpisodeProbability > 0.0 || bankAlignmentWeight > 0.0;
  }
};

struct TrainingProgress
{
  int64_t step = 0; // steps done
  int64_t steps = 0;
  double loss = 0.0; // mean over the last logging interval
  double stepsPerSecond = 0.0;
  double etaSeconds = 0.0;
  double learningRate = 0.0;
};

struct TrainingSummary
{
  int64_t steps = 0;
  int64_t startStep = 0;
  double seconds = 0.0;
  double firstLoss = 0.0;      // mean of the first logging interval of this run
  double lastLoss = 0.0;       // mean of the last one
  std::filesystem::path model; // the final EMA model, our checkpoint format
  std::vector<std::string> memoryBankClasses;
  std::vector<std::string> notes; // e.g. cases skipped and why
};

// Runs (or resumes) training; calls `progress` every logEvery steps and writes
// outDir/state (resumable) every checkpointEvery steps and at the end, plus outDir/model.pt
// (the EMA weights, config, spacing and memory-bank names). Throws TrainingError.
TrainingSummary train(const TrainingOptions& options,
                      const std::function<void(const TrainingProgress&)>& progress);
} // namespace iris::inference::training
