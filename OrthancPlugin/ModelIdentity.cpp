#include "OrthancPlugin/ModelIdentity.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace iris::plugin
{
std::string modelIdentity(const std::filesystem::path& modelPath)
{
  return modelPath.stem().string() + ":" + fileFingerprint(modelPath);
}

std::string embeddingModelKey(const std::string& modelId, std::optional<double> spacingMm)
{
  if (!spacingMm)
  {
    return modelId;
  }
  std::ostringstream key;
  key << modelId << "@" << *spacingMm << "mm";
  return key.str();
}

std::string fileFingerprint(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
  {
    return "missing";
  }
  // FNV-1a, 64 bits: not for security, only to tell weight files apart.
  uint64_t hash = 14695981039346656037ull;
  std::vector<char> chunk(1 << 16);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
  {
    for (std::streamsize i = 0; i < in.gcount(); ++i)
    {
      hash = (hash ^ static_cast<unsigned char>(chunk[static_cast<size_t>(i)])) * 1099511628211ull;
    }
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}
} // namespace iris::plugin
