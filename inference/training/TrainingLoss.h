#pragma once

// Internal to inference/: includes torch.
#include <torch/torch.h>

namespace iris::inference::training
{
// Per class: binary cross-entropy on the logits plus soft Dice (smoothed by 1, so an empty
// target is learnable), averaged over the K classes. logits, targets: [B,K,D,H,W].
torch::Tensor segmentationLoss(const torch::Tensor& logits, const torch::Tensor& targets);

// Pushes apart the classifier weights [B,K,C] the class head makes for the K classes of one
// episode: mean over class pairs of relu(margin - |w_a - w_b| / mean norm), the norms held
// fixed. A distance, not a cosine, so the push does not vanish when the weights coincide.
// Zero when K < 2.
torch::Tensor classSeparationLoss(const torch::Tensor& classifierWeights, double margin);

// Hard Dice per class of binary masks [K,...]: 1 when both are empty.
torch::Tensor diceScores(const torch::Tensor& prediction, const torch::Tensor& target);
} // namespace iris::inference::training
