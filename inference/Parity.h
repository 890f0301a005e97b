#pragma once

// Torch-free parity check against reference vectors (../shared/parity/iris_tiny.pt format).

#include <filesystem>
#include <string>
#include <vector>

namespace iris::inference
{
struct ParityLine
{
  std::string output;     // e.g. "out.logits"
  double maxAbsDiff = 0;  // max |ours - reference|
  double maxAbsRef = 0;   // max |reference|
  double relative = 0;    // maxAbsDiff / maxAbsRef (maxAbsDiff when the reference is all zero)
  bool recomputed = true; // false for an output this implementation does not produce
};

struct ParityReport
{
  std::string config; // JSON of the rebuilt model
  std::vector<ParityLine> lines;
  double tolerance = 1e-4;
  bool passed() const;
};

// Rebuilds the model stored in `vectors` (cropped positional embeddings zero-filled), recomputes
// every `out.*` tensor from the `in.*` tensors, and compares. Throws CheckpointError when the
// file is unreadable or lacks inputs.
ParityReport checkParity(const std::filesystem::path& vectors, double tolerance = 1e-4);
} // namespace iris::inference
