#pragma once

// Torch-free checkpoint entry points for the CLI and the plugin.

#include "inference/IrisConfig.h"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::inference
{
// A checkpoint that cannot be read or does not fit the architecture. The message names every
// missing, unexpected or shape-mismatched tensor.
class CheckpointError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// How floating-point weights are stored. Float16 halves the file (the shipped model must stay
// under 50 MB); loading always converts back to float32, so inference is unchanged otherwise.
enum class WeightPrecision
{
  Float32,
  Float16
};

struct ImportOptions
{
  // Overrides the config in the file; required in principle for a plain state_dict, which
  // otherwise is tried against the released config.
  std::optional<IrisConfig> config;
  // Crop the positional embeddings to this edge (exact for inputs no larger than it).
  std::optional<int> patchSize;
  WeightPrecision precision = WeightPrecision::Float32;
};

struct ImportReport
{
  std::string weightsKey; // "ema_model", "model", ... or "" for a plain state_dict
  std::string configSource;
  size_t tensorCount = 0;
  int64_t parameterCount = 0;
  IrisConfig config;
  std::vector<std::string> notes;
};

// Reads a released training checkpoint (dict with model / ema_model / config / optimizer ...)
// or a plain state_dict, takes the EMA weights when present, checks every name and shape, and
// writes our checkpoint (config + weights) to `output`.
ImportReport importCheckpoint(const std::filesystem::path& input,
                              const std::filesystem::path& output, const ImportOptions& options);

// The config stored in one of our checkpoints, without loading the weights into a model.
IrisConfig readCheckpointConfig(const std::filesystem::path& checkpoint);

// The config and metadata of one of our checkpoints, without building the network.
struct CheckpointSummary
{
  IrisConfig config;
  std::optional<double> spacingMm;            // absent in checkpoints written before it existed
  std::vector<std::string> memoryBankClasses; // empty: the memory-bank rows have no names
  // Every memory-bank row as TaskEmbedding::serialize bytes ([1, tn, tokens, C_i] per stage,
  // float32); empty when the checkpoint lacks a task_prior buffer.
  std::string memoryBank;
};
CheckpointSummary readCheckpointSummary(const std::filesystem::path& checkpoint);
} // namespace iris::inference
