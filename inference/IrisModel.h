#pragma once

#include "inference/Checkpoint.h"
#include "inference/IrisConfig.h"
#include "inference/TaskEmbedding.h"

#include <filesystem>
#include <memory>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace iris::inference
{
class IrisNetworkImpl;

// Everything one decode pass computes; logits alone is what segmentation needs.
struct DecodeOutput
{
  torch::Tensor logits;                  // [B, K, D, H, W], before sigmoid
  std::vector<torch::Tensor> posteriors; // per fusion stage: token 0 of each class, [B, K, C_i]
  torch::Tensor classifierWeights;       // [B, K, channels[0]]
};

// Thrown for inputs the network cannot take (wrong rank, sizes, NaN/inf, class mismatch).
class InvalidNetworkInput : public std::invalid_argument
{
public:
  using std::invalid_argument::invalid_argument;
};

// The Iris network behind a decoupled API: references are encoded once into task embeddings,
// which then decode any number of query windows, all K classes in one forward pass.
// Parameters never require grad. encode() and the decoders run without autograd, except that
// decode() keeps the graph when an embedding requires grad (in-context tuning).
class IrisModel
{
public:
  // Freshly initialised weights (deterministic for a given torch::manual_seed).
  explicit IrisModel(const IrisConfig& config);
  ~IrisModel();
  IrisModel(IrisModel&&) noexcept;
  IrisModel& operator=(IrisModel&&) noexcept;

  // Our checkpoint format (Checkpoint.h), config and weights together.
  static IrisModel load(const std::filesystem::path& checkpoint);
  void save(const std::filesystem::path& checkpoint,
            WeightPrecision precision = WeightPrecision::Float32) const;

  const IrisConfig& config() const { return config_; }
  void to(const torch::Device& device);
  torch::Device device() const;

  // image [B,1,D,H,W], masks [B,K,D,H,W] (binary, float or bool) -> [B,K,m+1,C_i] per stage.
  // D,H,W: multiples of 16, at most patch_size. NaN/inf voxels are rejected.
  TaskEmbedding encode(const torch::Tensor& image, const torch::Tensor& masks) const;
  // query [B,1,D,H,W] (same size rules), embeddings with batch 1 (broadcast) or B.
  torch::Tensor decodeLogits(const torch::Tensor& query, const TaskEmbedding& embeddings) const;
  // sigmoid(decodeLogits): K independent foreground probability maps.
  torch::Tensor decodeProbabilities(const torch::Tensor& query,
                                    const TaskEmbedding& embeddings) const;
  DecodeOutput decode(const torch::Tensor& query, const TaskEmbedding& embeddings) const;

  // Encoder features of an image, deepest first (x5, x4, x3, x2, x1).
  std::vector<torch::Tensor> encodeFeatures(const torch::Tensor& image) const;
  // Task embeddings from already computed reference features (the first num_prior_stage).
  TaskEmbedding encodeFromFeatures(const std::vector<torch::Tensor>& features,
                                   const torch::Tensor& masks) const;

  // Memory bank: rows 0..tn-1, one per seen class; [1, K, m+1, C_i] per stage.
  int64_t memoryBankSize() const { return config_.tn; }
  // Names of the memory-bank rows (`<dataset>:<label>`, "" for an unnamed row), tn entries;
  // saved with the checkpoint. Checkpoints without names load with every row unnamed.
  const std::vector<std::string>& memoryBankClasses() const { return memoryBankClasses_; }
  // Throws std::invalid_argument unless there are at most tn names (the rest stay unnamed).
  void setMemoryBankClasses(std::vector<std::string> names);
  // The row named `name`, or -1.
  int64_t memoryBankRow(const std::string& name) const;
  // The voxel spacing (mm) the model was trained at; 1.5 when the checkpoint does not say.
  double spacingMm() const { return spacingMm_; }
  void setSpacingMm(double spacingMm);
  TaskEmbedding memoryBank(const std::vector<int64_t>& classIndices) const;
  // Overwrites bank rows with class embeddings (batch 0), e.g. a mean of encoded references.
  void setMemoryBank(const std::vector<int64_t>& classIndices, const TaskEmbedding& embeddings);

  // The torch module, named exactly as the reference state_dict.
  IrisNetworkImpl& network() const;
  // name -> tensor, parameters and buffers, reference names.
  std::vector<std::pair<std::string, torch::Tensor>> namedTensors() const;

private:
  // Checks rank, channels, spatial sizes and finiteness; returns float32 on the model's device.
  torch::Tensor prepareVolume(const torch::Tensor& volume, int64_t channels,
                              const char* what) const;

  IrisConfig config_;
  std::shared_ptr<IrisNetworkImpl> network_;
  std::vector<std::string> memoryBankClasses_;
  double spacingMm_ = 1.5;
};
} // namespace iris::inference
