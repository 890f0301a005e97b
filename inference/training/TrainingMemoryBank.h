#pragma once

// Internal to inference/: includes torch. The memory bank while training: which rows have been
// seen, and how they follow the classes' embeddings.
#include "inference/IrisModel.h"
#include "inference/training/TrainingData.h"
#include "inference/training/TrainingOptions.h"

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace iris::inference::training
{
// Two kinds (docs/training.md):
// - EMA bank: each row follows the detached embeddings of its class's references;
// - trained bank (TrainingOptions::trainsMemoryBank): the rows of the trained model are class
//   prototypes learnt by the loss, and the shipped (EMA) model's rows are their weight EMA.
// Either way the first reference a row sees initialises it.
class TrainingMemoryBank
{
public:
  TrainingMemoryBank(const TrainingOptions& options, IrisModel& trained, IrisModel& shipped,
                     size_t rows);

  const std::vector<int>& seen() const { return seen_; }
  void restoreSeen(const std::vector<int>& seen) { seen_ = seen; }

  // Draws whether this episode decodes its query from its classes' trained rows instead of its
  // reference: possible when every class has a seen row.
  bool decodesFromBank(const Episode& episode, std::mt19937_64& rng) const;
  // The trained rows of `rows` as task embeddings [1,K,tokens,C] per stage (they keep grad).
  std::vector<torch::Tensor> priors(const std::vector<int64_t>& rows) const;
  // Mean (1 - cosine) between each token of the reference's embedding and the same token of its
  // class's trained row, over the classes that have a seen row.
  torch::Tensor alignmentLoss(const Episode& episode,
                              const std::vector<torch::Tensor>& referencePriors) const;

  void beginStep(double learningRate);
  // After a reference episode: EMA rows follow the embeddings; unseen rows are initialised.
  void record(const Episode& episode, const std::vector<torch::Tensor>& referencePriors);
  void endStep(double emaDecay);

  void save(const std::filesystem::path& stateDir) const;
  // A state saved with an EMA bank starts a trained bank from its rows (noted in `notes`).
  void load(const std::filesystem::path& stateDir, const torch::Device& device,
            std::vector<std::string>& notes);

private:
  const TrainingOptions& options_;
  IrisModel& trainedModel_;
  IrisModel& shippedModel_;
  std::vector<int> seen_;
  std::unique_ptr<torch::optim::AdamW> optimizer_; // only for a trained bank
};

// A tensor without a gradient is skipped by AdamW, one with a zero gradient still moves with
// its momentum. Giving every tensor one makes a step independent of which kind of episode
// defined the gradients first, which exact resume needs.
void zeroMissingGradients(std::vector<torch::Tensor>& tensors);
} // namespace iris::inference::training
