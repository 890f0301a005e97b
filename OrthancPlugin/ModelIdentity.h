#pragma once

#include <filesystem>
#include <string>

namespace iris::plugin
{
// Names a model by its file stem and a hash of its bytes ("iris-default:3f2a…"), so cached
// embeddings and results recorded with one set of weights are never reused with another.
// A missing file gives "<stem>:missing".
std::string modelIdentity(const std::filesystem::path& modelPath);

// The 64-bit FNV-1a hash of a file's bytes as 16 hex digits, or "missing" when it cannot be read.
std::string fileFingerprint(const std::filesystem::path& path);
} // namespace iris::plugin
