#pragma once

// Internal to inference/: includes torch.
#include "inference/Resample.h"

#include <functional>
#include <torch/torch.h>
#include <vector>

namespace iris::inference
{
// One window [1, 1, P, P, P] in, probabilities [1, K, P, P, P] out (sigmoid already applied);
// `start` is the window's first voxel in the (padded) image. A callable, so the window logic is
// testable without a network.
using WindowPredictor =
    std::function<torch::Tensor(const torch::Tensor& window, const Index3& start)>;

struct SlidingWindowOptions
{
  Index3 patch{128, 128, 128};
  double overlap = 0.5;      // step = round(patch * (1 - overlap)), at least 1
  double sigmaScale = 0.125; // Gaussian sigma = sigmaScale * patch, per dim
};

// Window starts along one axis of n voxels (n >= window): 0, step, ... plus one flush with the
// end, i.e. ceil((n - window) / step) + 1 starts.
std::vector<int64_t> windowStarts(int64_t n, int64_t window, int64_t step);

// Per-voxel blending weight of a window: prod over dims exp(-(x - c)^2 / (2 sigma^2)), scaled to
// a maximum of 1.
torch::Tensor gaussianWeights(const SlidingWindowOptions& options);

// Zero-pads `image` [D, H, W] at its end to at least the patch, runs the predictor on every
// window and blends: sum(p * g) / sum(g). Returns [K, D, H, W] on the CPU, for the
// unpadded extent.
torch::Tensor slidingWindow(const torch::Tensor& image, const WindowPredictor& predictor,
                            const SlidingWindowOptions& options);
} // namespace iris::inference
