#pragma once

#include "inference/Checkpoint.h"
#include "inference/CheckpointPickle.h"
#include "inference/IrisModel.h"

#include <string>
#include <torch/torch.h>
#include <utility>
#include <vector>

namespace iris::inference
{
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Copies `tensors` into the model by name. Refuses a partial load: any missing, unexpected or
// shape-mismatched tensor throws CheckpointError listing every one of them.
void loadStateDict(IrisModel& model, const NamedTensors& tensors, const std::string& source);

// Builds the model a torch.save file describes, whatever its shape: a released training
// checkpoint (EMA weights preferred), a plain state_dict, our own checkpoint, or the
// parity-vector format (cropped positional embeddings zero-filled). `report` gets the details.
IrisModel modelFromCheckpoint(const PickleValue& root, const std::string& source,
                              const ImportOptions& options, ImportReport* report = nullptr);
} // namespace iris::inference
