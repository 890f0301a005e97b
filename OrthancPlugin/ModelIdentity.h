#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace iris::plugin
{
// Names a model by its file stem and a hash of its bytes ("iris-default:3f2a…"), so cached
// embeddings and results recorded with one set of weights are never reused with another.
// A missing file gives "<stem>:missing".
std::string modelIdentity(const std::filesystem::path& modelPath);

// Whose reference embeddings may be reused: the model, and the voxel size they were computed at
// when a task overrides the model's ("<model id>@3mm"); the model id itself otherwise.
std::string embeddingModelKey(const std::string& modelId, std::optional<double> spacingMm);

// The 64-bit FNV-1a hash of a file's bytes as 16 hex digits, or "missing" when it cannot be read.
std::string fileFingerprint(const std::filesystem::path& path);
} // namespace iris::plugin
