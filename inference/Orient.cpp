#include "inference/Orient.h"

#include <algorithm>
#include <cmath>

namespace iris::inference
{
RasOrientation closestRasOrientation(const dicom::VolumeGeometry& geometry)
{
  // Voxel axis directions in RAS: LPS x and y change sign.
  std::array<dicom::Vec3, 3> ras{};
  for (int axis = 0; axis < 3; ++axis)
  {
    ras[axis] = {-geometry.axes[axis][0], -geometry.axes[axis][1], geometry.axes[axis][2]};
  }
  // rasAxisOf[a]: the RAS axis (0 = R, 1 = A, 2 = S) assigned to voxel axis a.
  std::array<int, 3> candidate{0, 1, 2};
  std::array<int, 3> best = candidate;
  double bestScore = -1.0;
  do
  {
    double score = 0.0;
    for (int axis = 0; axis < 3; ++axis)
    {
      score += std::abs(ras[axis][candidate[axis]]);
    }
    if (score > bestScore + 1e-9)
    {
      bestScore = score;
      best = candidate;
    }
  } while (std::next_permutation(candidate.begin(), candidate.end()));

  RasOrientation orientation;
  for (int axis = 0; axis < 3; ++axis)
  {
    // Tensor dims are S, A, R: RAS axis r sits at dim 2 - r.
    const int dim = 2 - best[axis];
    orientation.sourceAxis[dim] = axis;
    orientation.flipped[dim] = ras[axis][best[axis]] < 0.0;
  }
  return orientation;
}

std::array<size_t, 3> orientedSize(const dicom::VolumeGeometry& geometry,
                                   const RasOrientation& orientation)
{
  std::array<size_t, 3> size{};
  for (int dim = 0; dim < 3; ++dim)
  {
    size[dim] = geometry.size[orientation.sourceAxis[dim]];
  }
  return size;
}

std::array<double, 3> orientedSpacing(const dicom::VolumeGeometry& geometry,
                                      const RasOrientation& orientation)
{
  std::array<double, 3> spacing{};
  for (int dim = 0; dim < 3; ++dim)
  {
    spacing[dim] = geometry.spacing[orientation.sourceAxis[dim]];
  }
  return spacing;
}
} // namespace iris::inference
