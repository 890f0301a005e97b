#include "dicom/SegLabelAlignment.h"

#include <cmath>

namespace iris::dicom
{
namespace
{
constexpr double kParallel = 1.0 - 1e-4;

double dot(const Vec3& a, const Vec3& b)
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
} // namespace

std::optional<LabelVolume> alignLabelsToGrid(const LabelVolume& labels, const VolumeGeometry& grid,
                                             double toleranceMm)
{
  const auto& from = labels.geometry;
  if (labels.voxels.size() != from.voxelCount())
    return std::nullopt;
  std::array<int, 3> axisOf{-1, -1, -1}; // grid axis t reads labels axis axisOf[t]
  std::array<bool, 3> flipped{};
  for (int t = 0; t < 3; ++t)
  {
    for (int s = 0; s < 3; ++s)
    {
      const double cosine = dot(grid.axes[t], from.axes[s]);
      if (std::abs(cosine) >= kParallel && from.size[s] == grid.size[t] &&
          std::abs(from.spacing[s] - grid.spacing[t]) * static_cast<double>(grid.size[t]) <=
              toleranceMm)
      {
        axisOf[t] = s;
        flipped[t] = cosine < 0;
      }
    }
    if (axisOf[t] < 0)
      return std::nullopt;
  }
  if (axisOf[0] == axisOf[1] || axisOf[1] == axisOf[2] || axisOf[0] == axisOf[2])
    return std::nullopt;

  // Index in `labels` of grid voxel (i, j, k), then a check that the corners coincide.
  const auto sourceIndex = [&](const std::array<size_t, 3>& target)
  {
    std::array<size_t, 3> source{};
    for (int t = 0; t < 3; ++t)
      source[axisOf[t]] = flipped[t] ? grid.size[t] - 1 - target[t] : target[t];
    return source;
  };
  for (int corner = 0; corner < 8; ++corner)
  {
    std::array<size_t, 3> target{};
    for (int t = 0; t < 3; ++t)
      target[t] = (corner >> t & 1) ? grid.size[t] - 1 : 0;
    const auto source = sourceIndex(target);
    const Vec3 a = grid.voxelToPatient({double(target[0]), double(target[1]), double(target[2])});
    const Vec3 b = from.voxelToPatient({double(source[0]), double(source[1]), double(source[2])});
    if (std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) > toleranceMm)
      return std::nullopt;
  }
  LabelVolume aligned{grid, std::vector<uint16_t>(grid.voxelCount())};
  for (size_t k = 0; k < grid.size[2]; ++k)
    for (size_t j = 0; j < grid.size[1]; ++j)
      for (size_t i = 0; i < grid.size[0]; ++i)
      {
        const auto source = sourceIndex({i, j, k});
        aligned.at(i, j, k) = labels.at(source[0], source[1], source[2]);
      }
  return aligned;
}
} // namespace iris::dicom
