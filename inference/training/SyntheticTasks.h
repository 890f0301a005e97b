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
  torch::Tensor masks; // [1, K, E, E, E] float32 in {0, 1}, no class empty
};

struct SyntheticTask
{
  SyntheticPair reference;
  SyntheticPair query;
};

// One task of K classes (K drawn in 1..maxClasses). A class is either a kind of blob (size
// range, intensity offset, texture roughness) or one half of a blob cut across a fixed axis,
// the other half being the next class: the split teaches the network to tell parts of one
// structure apart by where the reference marks them, as the two hippocampus classes must be.
// Distractor blobs differ from every class in intensity or texture; the background is smooth
// noise. The reference and the query are two independent scenes that follow the same rules, so
// only the reference says which class is which.
SyntheticTask makeSyntheticTask(int64_t edge, int maxClasses);
} // namespace iris::inference::training
