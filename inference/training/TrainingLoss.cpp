#include "inference/training/TrainingLoss.h"

namespace iris::inference::training
{
torch::Tensor segmentationLoss(const torch::Tensor& logits, const torch::Tensor& targets)
{
  const auto target = targets.to(logits.dtype());
  const auto crossEntropy = torch::binary_cross_entropy_with_logits(logits, target);
  const auto probabilities = torch::sigmoid(logits).flatten(2);
  const auto flat = target.flatten(2);
  const auto overlap = (probabilities * flat).sum(-1);
  const auto dice = (2.0 * overlap + 1.0) / (probabilities.sum(-1) + flat.sum(-1) + 1.0);
  return crossEntropy + (1.0 - dice).mean();
}

torch::Tensor classSeparationLoss(const torch::Tensor& classifierWeights, double margin)
{
  const auto classes = classifierWeights.size(1);
  if (classes < 2)
  {
    return torch::zeros({}, classifierWeights.options());
  }
  const auto norms = classifierWeights.norm(2, -1).detach();                 // [B,K]
  const auto scale = 0.5 * (norms.unsqueeze(2) + norms.unsqueeze(1)) + 1e-6; // [B,K,K]
  const auto difference = classifierWeights.unsqueeze(2) - classifierWeights.unsqueeze(1);
  // The norm's gradient at zero is undefined; the epsilon keeps it finite.
  const auto distance = (difference.pow(2).sum(-1) + 1e-12).sqrt() / scale;
  const auto pairs = torch::ones({classes, classes}, classifierWeights.options()).triu(1);
  return (torch::relu(margin - distance) * pairs).sum() /
         (pairs.sum() * static_cast<double>(classifierWeights.size(0)));
}

torch::Tensor diceScores(const torch::Tensor& prediction, const torch::Tensor& target)
{
  const auto p = prediction.flatten(1).to(torch::kFloat64);
  const auto g = target.flatten(1).to(torch::kFloat64);
  const auto sums = p.sum(-1) + g.sum(-1);
  return torch::where(sums > 0, 2.0 * (p * g).sum(-1) / sums.clamp_min(1e-12),
                      torch::ones_like(sums));
}
} // namespace iris::inference::training
