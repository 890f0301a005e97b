#include "inference/training/SurfaceDice.h"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::inference::training
{
namespace
{
// Stands in for "no surface voxel on this line": finite, so the envelope arithmetic stays exact.
constexpr double kFar = 1e30;

struct Box
{
  std::array<size_t, 3> low{};
  std::array<size_t, 3> size{};
  size_t count() const { return size[0] * size[1] * size[2]; }
  size_t index(size_t i, size_t j, size_t k) const { return i + size[0] * (j + size[1] * k); }
};

// Surface voxels of `value`, flagged inside `box`.
std::vector<char> surfaceOf(const dicom::LabelVolume& volume, uint16_t value, const Box& box)
{
  const auto& size = volume.geometry.size;
  const auto inside = [&](size_t i, size_t j, size_t k) { return volume.at(i, j, k) == value; };
  std::vector<char> surface(box.count(), 0);
  for (size_t k = box.low[2]; k < box.low[2] + box.size[2]; ++k)
  {
    for (size_t j = box.low[1]; j < box.low[1] + box.size[1]; ++j)
    {
      for (size_t i = box.low[0]; i < box.low[0] + box.size[0]; ++i)
      {
        if (!inside(i, j, k))
        {
          continue;
        }
        const bool edge =
            i == 0 || j == 0 || k == 0 || i + 1 == size[0] || j + 1 == size[1] || k + 1 == size[2];
        surface[box.index(i - box.low[0], j - box.low[1], k - box.low[2])] =
            edge || !inside(i - 1, j, k) || !inside(i + 1, j, k) || !inside(i, j - 1, k) ||
            !inside(i, j + 1, k) || !inside(i, j, k - 1) || !inside(i, j, k + 1);
      }
    }
  }
  return surface;
}

// Exact squared distance transform along one line (Felzenszwalb & Huttenlocher, 2012), for
// samples `weight` = spacing² apart: out[q] = min_p weight·(q − p)² + in[p].
void distanceAlongLine(const std::vector<double>& in, double weight, std::vector<double>& out,
                       std::vector<size_t>& apex, std::vector<double>& bound)
{
  const size_t n = in.size();
  size_t hull = 0;
  apex[0] = 0;
  bound[0] = -std::numeric_limits<double>::infinity();
  bound[1] = std::numeric_limits<double>::infinity();
  const auto crossing = [&](size_t q, size_t p)
  {
    const double dq = static_cast<double>(q), dp = static_cast<double>(p);
    return ((in[q] + weight * dq * dq) - (in[p] + weight * dp * dp)) / (2.0 * weight * (dq - dp));
  };
  for (size_t q = 1; q < n; ++q)
  {
    double s = crossing(q, apex[hull]);
    while (s <= bound[hull])
    {
      --hull;
      s = crossing(q, apex[hull]);
    }
    ++hull;
    apex[hull] = q;
    bound[hull] = s;
    bound[hull + 1] = std::numeric_limits<double>::infinity();
  }
  hull = 0;
  for (size_t q = 0; q < n; ++q)
  {
    while (bound[hull + 1] < static_cast<double>(q))
    {
      ++hull;
    }
    const double d = static_cast<double>(q) - static_cast<double>(apex[hull]);
    out[q] = weight * d * d + in[apex[hull]];
  }
}

// Squared distance (mm²) from every voxel of `box` to the nearest flagged voxel.
std::vector<double> squaredDistanceTo(const std::vector<char>& flagged, const Box& box,
                                      const dicom::Vec3& spacing)
{
  std::vector<double> distance(box.count());
  for (size_t n = 0; n < distance.size(); ++n)
  {
    distance[n] = flagged[n] ? 0.0 : kFar;
  }
  const size_t longest = *std::max_element(box.size.begin(), box.size.end());
  std::vector<double> line(longest), result(longest), bound(longest + 1);
  std::vector<size_t> apex(longest);
  const std::array<size_t, 3> stride{1, box.size[0], box.size[0] * box.size[1]};
  for (int axis = 0; axis < 3; ++axis)
  {
    const size_t length = box.size[axis];
    line.resize(length);
    result.resize(length);
    const int a = (axis + 1) % 3, b = (axis + 2) % 3;
    for (size_t u = 0; u < box.size[a]; ++u)
    {
      for (size_t v = 0; v < box.size[b]; ++v)
      {
        const size_t start = u * stride[a] + v * stride[b];
        for (size_t q = 0; q < length; ++q)
        {
          line[q] = distance[start + q * stride[axis]];
        }
        distanceAlongLine(line, spacing[axis] * spacing[axis], result, apex, bound);
        for (size_t q = 0; q < length; ++q)
        {
          distance[start + q * stride[axis]] = result[q];
        }
      }
    }
  }
  return distance;
}

// The smallest box holding every voxel of either label; false when both are absent.
bool boundingBox(const dicom::LabelVolume& first, uint16_t firstValue,
                 const dicom::LabelVolume& second, uint16_t secondValue, Box& box)
{
  const auto& size = first.geometry.size;
  std::array<size_t, 3> low{size[0], size[1], size[2]}, high{};
  bool any = false;
  for (size_t k = 0; k < size[2]; ++k)
  {
    for (size_t j = 0; j < size[1]; ++j)
    {
      for (size_t i = 0; i < size[0]; ++i)
      {
        const size_t n = first.geometry.index(i, j, k);
        if (first.voxels[n] == firstValue || second.voxels[n] == secondValue)
        {
          any = true;
          const std::array<size_t, 3> at{i, j, k};
          for (int axis = 0; axis < 3; ++axis)
          {
            low[axis] = std::min(low[axis], at[axis]);
            high[axis] = std::max(high[axis], at[axis]);
          }
        }
      }
    }
  }
  for (int axis = 0; axis < 3 && any; ++axis)
  {
    box.low[axis] = low[axis];
    box.size[axis] = high[axis] - low[axis] + 1;
  }
  return any;
}

// Surface voxels of `surface` within `toleranceMm` of the other surface (its distance map).
size_t within(const std::vector<char>& surface, const std::vector<double>& distanceToOther,
              double toleranceMm)
{
  // A relative margin, so that a distance exactly at the tolerance counts despite rounding.
  const double limit = toleranceMm * toleranceMm * (1.0 + 1e-9);
  size_t count = 0;
  for (size_t n = 0; n < surface.size(); ++n)
  {
    count += surface[n] && distanceToOther[n] <= limit;
  }
  return count;
}
} // namespace

double surfaceDice(const dicom::LabelVolume& truth, uint16_t truthValue,
                   const dicom::LabelVolume& predicted, uint16_t predictedValue, double toleranceMm)
{
  if (truth.geometry.size != predicted.geometry.size ||
      truth.voxels.size() != truth.geometry.voxelCount() ||
      predicted.voxels.size() != predicted.geometry.voxelCount())
  {
    throw std::invalid_argument("surface Dice: the two label volumes do not share a voxel grid");
  }
  if (!(toleranceMm >= 0.0))
  {
    throw std::invalid_argument("surface Dice: the tolerance must be >= 0 mm, got " +
                                std::to_string(toleranceMm));
  }
  Box box;
  if (!boundingBox(truth, truthValue, predicted, predictedValue, box))
  {
    return 1.0;
  }
  const auto truthSurface = surfaceOf(truth, truthValue, box);
  const auto predictedSurface = surfaceOf(predicted, predictedValue, box);
  const auto truthCount =
      static_cast<size_t>(std::count(truthSurface.begin(), truthSurface.end(), 1));
  const auto predictedCount =
      static_cast<size_t>(std::count(predictedSurface.begin(), predictedSurface.end(), 1));
  if (truthCount == 0 || predictedCount == 0)
  {
    return 0.0;
  }
  const auto& spacing = truth.geometry.spacing;
  const size_t agreeing =
      within(truthSurface, squaredDistanceTo(predictedSurface, box, spacing), toleranceMm) +
      within(predictedSurface, squaredDistanceTo(truthSurface, box, spacing), toleranceMm);
  return static_cast<double>(agreeing) / static_cast<double>(truthCount + predictedCount);
}
} // namespace iris::inference::training
