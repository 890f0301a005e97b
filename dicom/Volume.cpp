#include "dicom/Volume.h"

#include <cmath>

namespace iris::dicom
{
Matrix4 VolumeGeometry::voxelToPatient() const
{
  Matrix4 matrix{};
  for (int row = 0; row < 3; ++row)
  {
    for (int axis = 0; axis < 3; ++axis)
    {
      matrix[row][axis] = axes[axis][row] * spacing[axis];
    }
    matrix[row][3] = origin[row];
  }
  matrix[3][3] = 1.0;
  return matrix;
}

Vec3 VolumeGeometry::voxelToPatient(const Vec3& ijk) const
{
  Vec3 point = origin;
  for (int axis = 0; axis < 3; ++axis)
  {
    for (int row = 0; row < 3; ++row)
    {
      point[row] += axes[axis][row] * spacing[axis] * ijk[axis];
    }
  }
  return point;
}

bool VolumeGeometry::sameGrid(const VolumeGeometry& other, double toleranceMm) const
{
  if (size != other.size)
  {
    return false;
  }
  // The grid is affine, so checking the origin and the far corner along each axis suffices.
  std::array<Vec3, 4> probes = {Vec3{0, 0, 0}};
  for (int axis = 0; axis < 3; ++axis)
  {
    probes[axis + 1] = {0, 0, 0};
    probes[axis + 1][axis] = size[axis] > 0 ? static_cast<double>(size[axis] - 1) : 0.0;
  }
  for (const auto& probe : probes)
  {
    const Vec3 a = voxelToPatient(probe);
    const Vec3 b = other.voxelToPatient(probe);
    if (std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) > toleranceMm)
    {
      return false;
    }
  }
  return true;
}
} // namespace iris::dicom
