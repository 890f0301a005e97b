#pragma once

#include <stdexcept>

namespace iris::inference
{
// Input the pipeline cannot segment (empty reference label, mismatched grids, no finite voxel,
// unknown class or strategy...). The message says what was expected and what was found.
class SegmentationError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};
} // namespace iris::inference
