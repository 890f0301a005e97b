#include "inference/Postprocess.h"

#include <set>
#include <stdexcept>

namespace iris::inference
{
namespace
{
// Labels the 6-connected components of `mask` (ids from 1, in raster order of their first
// voxel); returns the voxel count of each id (index 0 unused).
std::vector<size_t> labelComponents(const std::vector<uint8_t>& mask,
                                    const std::array<size_t, 3>& size,
                                    std::vector<int32_t>& component)
{
  const size_t nx = size[0], ny = size[1], nz = size[2];
  component.assign(mask.size(), 0);
  std::vector<size_t> counts{0};
  std::vector<size_t> stack;
  for (size_t seed = 0; seed < mask.size(); ++seed)
  {
    if (!mask[seed] || component[seed])
    {
      continue;
    }
    const auto id = static_cast<int32_t>(counts.size());
    size_t count = 0;
    stack.assign(1, seed);
    component[seed] = id;
    while (!stack.empty())
    {
      const size_t v = stack.back();
      stack.pop_back();
      ++count;
      const size_t x = v % nx, y = (v / nx) % ny, z = v / (nx * ny);
      auto visit = [&](size_t neighbour)
      {
        if (mask[neighbour] && !component[neighbour])
        {
          component[neighbour] = id;
          stack.push_back(neighbour);
        }
      };
      if (x > 0)
        visit(v - 1);
      if (x + 1 < nx)
        visit(v + 1);
      if (y > 0)
        visit(v - nx);
      if (y + 1 < ny)
        visit(v + nx);
      if (z > 0)
        visit(v - nx * ny);
      if (z + 1 < nz)
        visit(v + nx * ny);
    }
    counts.push_back(count);
  }
  return counts;
}
} // namespace

size_t keepLargestComponent(std::vector<uint8_t>& mask, const std::array<size_t, 3>& size)
{
  if (mask.size() != size[0] * size[1] * size[2])
  {
    throw std::invalid_argument("Mask size does not match its grid");
  }
  std::vector<int32_t> component;
  const auto counts = labelComponents(mask, size, component);
  size_t best = 0;
  for (size_t id = 1; id < counts.size(); ++id)
  {
    if (counts[id] > counts[best])
    {
      best = id;
    }
  }
  for (size_t v = 0; v < mask.size(); ++v)
  {
    mask[v] = component[v] == static_cast<int32_t>(best) && best != 0;
  }
  return counts[best];
}

void keepLargestComponentPerLabel(dicom::LabelVolume& labels)
{
  std::set<uint16_t> values(labels.voxels.begin(), labels.voxels.end());
  values.erase(0);
  std::vector<uint8_t> mask(labels.voxels.size());
  for (const uint16_t value : values)
  {
    for (size_t v = 0; v < mask.size(); ++v)
    {
      mask[v] = labels.voxels[v] == value;
    }
    keepLargestComponent(mask, labels.geometry.size);
    for (size_t v = 0; v < mask.size(); ++v)
    {
      if (labels.voxels[v] == value && !mask[v])
      {
        labels.voxels[v] = 0;
      }
    }
  }
}

double dice(const dicom::LabelVolume& a, const dicom::LabelVolume& b, uint16_t value)
{
  if (a.voxels.size() != b.voxels.size())
  {
    throw std::invalid_argument("Dice of label maps with different voxel counts");
  }
  size_t both = 0, inA = 0, inB = 0;
  for (size_t v = 0; v < a.voxels.size(); ++v)
  {
    const bool x = a.voxels[v] == value, y = b.voxels[v] == value;
    both += x && y;
    inA += x;
    inB += y;
  }
  return inA + inB == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(inA + inB);
}
} // namespace iris::inference
