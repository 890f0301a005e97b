#pragma once

#include <string>

namespace iris::inference
{
// Accepted spellings of the device setting, shared by every front end (plugin settings, CLI).
// Header-only so that torch-free code can validate without linking LibTorch.
inline bool isValidDeviceName(const std::string& name)
{
  return name == "auto" || name == "cpu" || name == "cuda";
}
} // namespace iris::inference
