#pragma once

// Internal to inference/: includes torch.
#include <torch/torch.h>

namespace iris::inference::training
{
// Per class: binary cross-entropy on the logits plus soft Dice (smoothed by 1, so an empty
// target is learnable), averaged over the K classes. logits, targets: [B,K,D,H,W].
torch::Tensor segmentationLoss(const torch::Tensor& logits, const torch::Tensor& targets);

// Hard Dice per class of binary masks [K,...]: 1 when both are empty.
torch::Tensor diceScores(const torch::Tensor& prediction, const torch::Tensor& target);
} // namespace iris::inference::training
