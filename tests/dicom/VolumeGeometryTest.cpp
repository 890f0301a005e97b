#include "dicom/Volume.h"

#include <gtest/gtest.h>

#include <cmath>

namespace iris::dicom
{
namespace
{
VolumeGeometry obliqueGeometry()
{
  VolumeGeometry geometry;
  geometry.size = {4, 5, 6};
  geometry.spacing = {0.5, 0.75, 2.0};
  geometry.origin = {10.0, -20.0, 30.0};
  const double c = std::cos(0.3), s = std::sin(0.3);
  geometry.axes = {Vec3{c, s, 0.0}, Vec3{-s, c, 0.0}, Vec3{0.0, 0.0, 1.0}};
  return geometry;
}

TEST(VolumeGeometry, MatrixAndPointMappingAgree)
{
  const auto geometry = obliqueGeometry();
  const auto matrix = geometry.voxelToPatient();
  const Vec3 ijk = {1.0, 2.0, 3.0};
  const auto point = geometry.voxelToPatient(ijk);
  for (int row = 0; row < 3; ++row)
  {
    const double expected = matrix[row][0] * ijk[0] + matrix[row][1] * ijk[1] +
                            matrix[row][2] * ijk[2] + matrix[row][3];
    EXPECT_NEAR(point[row], expected, 1e-12);
  }
  EXPECT_NEAR(point[2], 30.0 + 3 * 2.0, 1e-12);
}

TEST(VolumeGeometry, IndexIsIFastest)
{
  const auto geometry = obliqueGeometry();
  EXPECT_EQ(geometry.index(1, 0, 0), 1u);
  EXPECT_EQ(geometry.index(0, 1, 0), 4u);
  EXPECT_EQ(geometry.index(0, 0, 1), 20u);
  EXPECT_EQ(geometry.voxelCount(), 120u);
}

TEST(VolumeGeometry, SameGridToleratesOnlyTinyShifts)
{
  const auto a = obliqueGeometry();
  auto b = a;
  b.origin[0] += 5e-4;
  EXPECT_TRUE(a.sameGrid(b));
  b.origin[0] += 0.01;
  EXPECT_FALSE(a.sameGrid(b));
  auto c = a;
  c.spacing[2] = 2.01; // the far slice moves by 0.05 mm
  EXPECT_FALSE(a.sameGrid(c));
  auto d = a;
  d.size[2] = 7;
  EXPECT_FALSE(a.sameGrid(d));
}
} // namespace
} // namespace iris::dicom
