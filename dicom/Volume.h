#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace iris::dicom
{
using Vec3 = std::array<double, 3>;
using Matrix4 = std::array<std::array<double, 4>, 4>;

// A voxel grid in DICOM patient coordinates (LPS, mm). Voxel (i, j, k): i runs along a row
// (DICOM column index), j down the columns (row index), k across slices. Every library and
// front end shares this one convention; NIfTI's RAS is converted at the NIfTI boundary.
struct VolumeGeometry
{
  std::array<size_t, 3> size{};      // voxels along i, j, k
  Vec3 spacing{1.0, 1.0, 1.0};       // mm between voxel centres along i, j, k
  Vec3 origin{};                     // LPS position of the centre of voxel (0, 0, 0)
  std::array<Vec3, 3> axes{{{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.0, 1.0}}}; // unit i, j, k

  size_t voxelCount() const { return size[0] * size[1] * size[2]; }
  size_t index(size_t i, size_t j, size_t k) const { return i + size[0] * (j + size[1] * k); }
  Matrix4 voxelToPatient() const;
  Vec3 voxelToPatient(const Vec3& ijk) const;
  // Same size, and every voxel centre within `toleranceMm` of its counterpart.
  bool sameGrid(const VolumeGeometry& other, double toleranceMm = 1e-3) const;
};

template <typename T> struct Volume
{
  VolumeGeometry geometry;
  std::vector<T> voxels; // i fastest, then j, then k

  T& at(size_t i, size_t j, size_t k) { return voxels[geometry.index(i, j, k)]; }
  const T& at(size_t i, size_t j, size_t k) const { return voxels[geometry.index(i, j, k)]; }
};

using ImageVolume = Volume<float>;
using LabelVolume = Volume<uint16_t>; // 0 is background; values are class or segment numbers
} // namespace iris::dicom
