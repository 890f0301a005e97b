#pragma once

// Internal to inference/: includes torch. Random 3D shape-and-texture tasks, so the network
// learns to follow the reference rather than memorise anatomy. Every draw uses torch's default
// generator (reproducible per training step).
#include <cstdint>
#include <torch/torch.h>

namespace iris::inference::training
{
struct SyntheticPair
{
  torch::Tensor image; // [1, 1, E, E, E] float32, roughly z-scored
  torch::Tensor mask;  // [1, 1, E, E, E] float32 in {0, 1}, never empty
};

struct SyntheticTask
{
  SyntheticPair reference;
  SyntheticPair query;
};

// One task: a target kind of blob (size range, intensity offset, texture roughness) and a few
// distractor blobs that differ in intensity or texture, on a smooth noisy background. The
// reference and the query are two independent scenes that follow the same rule; the mask
// holds the target blobs.
SyntheticTask makeSyntheticTask(int64_t edge);
} // namespace iris::inference::training
