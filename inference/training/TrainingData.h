#pragma once

// Internal to inference/: includes torch. The training cases, preprocessed once as inference
// preprocesses them, and the episodes drawn from them.
#include "inference/Crop.h"
#include "inference/Intensity.h"
#include "inference/training/Manifest.h"
#include "inference/training/TrainingOptions.h"

#include <map>
#include <random>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace iris::inference::training
{
// A case on the model grid (RAS, model spacing), cropped to the body.
struct CachedCase
{
  ManifestCase source;
  IntensityModality modality = IntensityModality::MR;
  torch::Tensor raw;             // [D,H,W] float32 before normalisation (reference crops use it)
  torch::Tensor normalised;      // [D,H,W] clipped and z-scored over the body, as a query is
  torch::Tensor labels;          // [D,H,W] int32 (nearest)
  std::map<uint16_t, Box> boxes; // foreground box of each usable value that survived resampling
};

// One case on the model grid, preprocessed the way inference does (prepareQuery for the
// query intensities). Throws TrainingError naming the file for unreadable files, a label grid
// that differs from its image's, or a label without any usable class.
CachedCase loadCase(const ManifestCase& item, double spacingMm);

// One episode: a reference crop and a query crop with the same K binary classes.
struct Episode
{
  torch::Tensor referenceImage; // [1,1,E,E,E]
  torch::Tensor referenceMasks; // [1,K,E,E,E]
  torch::Tensor queryImage;
  torch::Tensor queryMasks;
  std::vector<int64_t> bankRows; // per class: its memory-bank row, -1 for synthetic
  std::string dataset;           // "synthetic" for generated tasks
  // Per class: whether the augmented reference crop still shows it. Read on the CPU before the
  // tensors move, so the memory bank never waits on a GPU to answer it.
  std::vector<bool> referenceHasClass;
};

class TrainingData
{
public:
  // Loads and caches every selected training case. `notes` receives skipped cases and why.
  TrainingData(const TrainingOptions& options, std::vector<std::string>& notes);

  // Memory-bank row names: every class of the training cases, sorted; row = index.
  const std::vector<std::string>& classNames() const { return classNames_; }
  size_t caseCount() const { return cases_.size(); }

  // An episode from `rng` (discrete choices) and torch's generator (crops' jitter,
  // augmentation, synthetic scenes). Both must be seeded per step by the caller.
  Episode sample(std::mt19937_64& rng) const;

private:
  struct ClassCase
  {
    size_t caseIndex;
    uint16_t value;
  };
  Episode sampleReal(std::mt19937_64& rng, const std::string& dataset) const;
  Episode sampleSynthetic() const;

  TrainingOptions options_;
  std::vector<CachedCase> cases_;
  std::vector<std::string> classNames_;
  std::map<std::string, std::vector<ClassCase>> classCases_;       // class name -> its cases
  std::map<std::string, std::vector<std::string>> datasetClasses_; // dataset -> class names
  std::vector<std::string> datasets_;
  std::vector<double> datasetWeights_;
};
} // namespace iris::inference::training
