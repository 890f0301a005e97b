#pragma once

// Internal to inference/: includes torch.
#include "inference/Intensity.h"
#include "inference/Resample.h"

#include <torch/torch.h>
#include <vector>

namespace iris::inference
{
// A box of voxels [begin, end) along D, H, W; it may reach outside a tensor (padding).
struct Box
{
  Index3 begin{};
  Index3 end{};
  Index3 size() const { return {end[0] - begin[0], end[1] - begin[1], end[2] - begin[2]}; }
};

// The body in a model-grid image [D, H, W] (not yet normalised): CT > -500 HU, MR/PET
// |v| > max(1e-3 * P99(|v|), 1e-6); closed twice, largest 6-connected component, its bounding
// box grown by `margin` voxels and clipped to the image. The whole image when nothing passes.
Box bodyBox(const torch::Tensor& image, IntensityModality modality,
            const Index3& margin = {16, 32, 32});

// Bounding box of the non-zero voxels of a [D, H, W] mask; nullopt-like empty box (size 0)
// when there are none.
Box foregroundBox(const torch::Tensor& mask);

// A box of `patch` voxels centred on round((min + max) / 2) of `foreground`.
Box centredBox(const Box& foreground, const Index3& patch);

// The part of [..., D, H, W] under `box`, zero outside the tensor.
torch::Tensor extractBox(const torch::Tensor& values, const Box& box);

// Zero-pads the last three dims at their end to at least `minimum`.
torch::Tensor padToAtLeast(const torch::Tensor& values, const Index3& minimum);
} // namespace iris::inference
