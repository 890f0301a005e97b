#pragma once

#include "inference/IrisConfig.h"
#include "inference/modules/IrisStages.h"

#include <torch/torch.h>
#include <vector>

namespace iris::inference
{
// The root module. Its state_dict names are the reference's: task_prior_i, encoder.*,
// decoder.*, task_embedding.i.*, out.*. The checks on inputs live in IrisModel.
class IrisNetworkImpl : public torch::nn::Module
{
public:
  explicit IrisNetworkImpl(const IrisConfig& config);

  // Deepest first (x5, x4, x3, x2, x1).
  std::vector<torch::Tensor> encodeFeatures(const torch::Tensor& image);
  // The first num_prior_stage levels of `features` and masks [B,K,D,H,W] -> [B,K,m+1,C_i].
  std::vector<torch::Tensor> encodePriors(const std::vector<torch::Tensor>& features,
                                          const torch::Tensor& masks);
  struct Decoded
  {
    torch::Tensor logits;
    std::vector<torch::Tensor> posteriors;
    torch::Tensor classifierWeights;
  };
  Decoded decode(const std::vector<torch::Tensor>& features,
                 const std::vector<torch::Tensor>& priors);
  // Rows `indices` [B,K] of every task_prior_i (no masking: -1 reads the last row).
  std::vector<torch::Tensor> memoryBank(const torch::Tensor& indices) const;

  std::vector<torch::Tensor> taskPriors; // the memory-bank buffers

private:
  modules::Encoder encoder_{nullptr};
  modules::Decoder decoder_{nullptr};
  std::vector<modules::TaskEncodingLayer> taskEncoders_;
  modules::ClassHead head_{nullptr};
};
TORCH_MODULE(IrisNetwork);
} // namespace iris::inference
