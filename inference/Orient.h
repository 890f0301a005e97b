#pragma once

#include "dicom/Volume.h"

#include <array>

namespace iris::inference
{
// How a volume's voxel axes map onto the model's tensor dims (D, H, W), which run along the
// patient's Superior, Anterior and Right directions (RAS, numpy z,y,x order). Axes are only
// permuted and flipped, never rotated: an oblique volume stays oblique, so no interpolation is
// needed to reorient, and the way back onto the source voxels is exact.
struct RasOrientation
{
  // sourceAxis[d]: the voxel axis (0 = i, 1 = j, 2 = k) that tensor dim d runs along.
  std::array<int, 3> sourceAxis{2, 1, 0};
  // flipped[d]: dim d runs against its source axis (index n-1-s).
  std::array<bool, 3> flipped{false, false, false};
};

// The permutation and flips that bring the voxel axes closest to RAS: the assignment with the
// largest summed |cosine| between each voxel axis and its RAS axis.
RasOrientation closestRasOrientation(const dicom::VolumeGeometry& geometry);

// The voxel count along each tensor dim (D, H, W) and the spacing there.
std::array<size_t, 3> orientedSize(const dicom::VolumeGeometry& geometry,
                                   const RasOrientation& orientation);
std::array<double, 3> orientedSpacing(const dicom::VolumeGeometry& geometry,
                                      const RasOrientation& orientation);
} // namespace iris::inference
