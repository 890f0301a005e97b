#pragma once

#include "inference/Checkpoint.h"

#include <filesystem>
#include <memory>
#include <string>

namespace iris::plugin
{
// The summary of the checkpoint at `path` (config, spacing, memory-bank names and rows), or
// nullptr with the reason in `error`. Reading a checkpoint loads every tensor (hundreds of MB for
// the default model), so the summary is read once per file version (size and modification time)
// and shared, not read per request.
std::shared_ptr<const inference::CheckpointSummary>
cachedCheckpointSummary(const std::filesystem::path& path, std::string& error);
} // namespace iris::plugin
