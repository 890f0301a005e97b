#pragma once

#include <filesystem>
#include <string>

namespace iris::plugin
{
// Names a model by its file stem and a hash of its bytes ("iris-default:3f2a…"), so cached
// embeddings and results recorded with one set of weights are never reused with another.
// A missing file gives "<stem>:missing".
std::string modelIdentity(const std::filesystem::path& modelPath);
} // namespace iris::plugin
