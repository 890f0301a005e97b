#pragma once

#include "inference/DeviceName.h"

#include <string>

namespace iris::inference
{
// What the caller asked for, and what this process can actually run on.
struct ComputeDevice
{
  std::string requested; // "auto", "cpu" or "cuda"
  std::string selected;  // "cpu" or "cuda"
  std::string detail;    // why this device, or why the request could not be honoured
  int threads = 1;       // intra-op CPU threads
  int gpuCount = 0;      // CUDA devices visible when "cuda" is selected, else 0
};

// Chooses CUDA when asked for (or "auto") and present, else the CPU, and sets the intra-op thread
// count. Never throws for a missing GPU: the reason lands in `detail`.
ComputeDevice selectComputeDevice(const std::string& requested, int threads);
} // namespace iris::inference
