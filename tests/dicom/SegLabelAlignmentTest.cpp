#include "dicom/SegLabelAlignment.h"

#include <cmath>
#include <gtest/gtest.h>

namespace iris::dicom
{
namespace
{
VolumeGeometry obliqueGrid()
{
  VolumeGeometry grid;
  grid.size = {5, 4, 3};
  grid.spacing = {0.5, 0.75, 2.0};
  grid.origin = {10, -20, 30};
  const double c = std::cos(0.4), s = std::sin(0.4);
  grid.axes = {Vec3{c, s, 0}, Vec3{-s, c, 0}, Vec3{0, 0, 1}};
  return grid;
}

LabelVolume numbered(const VolumeGeometry& grid)
{
  LabelVolume labels{grid, std::vector<uint16_t>(grid.voxelCount())};
  for (size_t n = 0; n < labels.voxels.size(); ++n)
    labels.voxels[n] = static_cast<uint16_t>(n + 1);
  return labels;
}

// The same voxels stored with i and j swapped, i reversed and k reversed (as a RAS writer might).
LabelVolume restored(const LabelVolume& labels)
{
  const auto& grid = labels.geometry;
  VolumeGeometry other;
  other.size = {grid.size[1], grid.size[0], grid.size[2]};
  other.spacing = {grid.spacing[1], grid.spacing[0], grid.spacing[2]};
  other.axes = {grid.axes[1], Vec3{-grid.axes[0][0], -grid.axes[0][1], -grid.axes[0][2]},
                Vec3{-grid.axes[2][0], -grid.axes[2][1], -grid.axes[2][2]}};
  other.origin = grid.voxelToPatient({double(grid.size[0] - 1), 0.0, double(grid.size[2] - 1)});
  LabelVolume result{other, std::vector<uint16_t>(other.voxelCount())};
  for (size_t k = 0; k < grid.size[2]; ++k)
    for (size_t j = 0; j < grid.size[1]; ++j)
      for (size_t i = 0; i < grid.size[0]; ++i)
        result.at(j, grid.size[0] - 1 - i, grid.size[2] - 1 - k) = labels.at(i, j, k);
  return result;
}

TEST(SegLabelAlignment, PermutedAndFlippedStorageIsReindexedExactly)
{
  const auto labels = numbered(obliqueGrid());
  const auto aligned = alignLabelsToGrid(restored(labels), labels.geometry, 1e-3);
  ASSERT_TRUE(aligned.has_value());
  EXPECT_EQ(aligned->voxels, labels.voxels);
  EXPECT_TRUE(aligned->geometry.sameGrid(labels.geometry));
}

TEST(SegLabelAlignment, ShiftedOrResizedGridsAreNotAligned)
{
  const auto labels = numbered(obliqueGrid());
  auto shifted = restored(labels);
  shifted.geometry.origin[0] += 0.3;
  EXPECT_FALSE(alignLabelsToGrid(shifted, labels.geometry, 1e-3).has_value());
  auto finer = labels;
  finer.geometry.spacing[2] = 1.0;
  EXPECT_FALSE(alignLabelsToGrid(finer, labels.geometry, 1e-3).has_value());
}
} // namespace
} // namespace iris::dicom
