#include "tests/dicom/VolumeComparison.h"

#include <cmath>
#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
using dicom::Matrix4;
using dicom::Vec3;

// Inverse of an affine 4x4 (last row 0 0 0 1).
Matrix4 inverseAffine(const Matrix4& m)
{
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  Matrix4 inverse{};
  for (int r = 0; r < 3; ++r)
  {
    for (int c = 0; c < 3; ++c)
    {
      const int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
      inverse[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
    }
  }
  for (int r = 0; r < 3; ++r)
  {
    inverse[r][3] = -(inverse[r][0] * m[0][3] + inverse[r][1] * m[1][3] + inverse[r][2] * m[2][3]);
  }
  inverse[3][3] = 1.0;
  return inverse;
}

Matrix4 multiply(const Matrix4& a, const Matrix4& b)
{
  Matrix4 product{};
  for (int r = 0; r < 4; ++r)
  {
    for (int c = 0; c < 4; ++c)
    {
      for (int k = 0; k < 4; ++k)
      {
        product[r][c] += a[r][k] * b[k][c];
      }
    }
  }
  return product;
}
} // namespace

void expectSameWorldVolume(const dicom::ImageVolume& actual, const dicom::ImageVolume& reference,
                           double toleranceMm, float valueTolerance)
{
  const auto& a = actual.geometry;
  const auto& r = reference.geometry;
  ASSERT_EQ(actual.voxels.size(), a.voxelCount());
  ASSERT_EQ(reference.voxels.size(), r.voxelCount());
  // actual index -> reference index; must be a signed permutation plus an integer offset.
  const Matrix4 map = multiply(inverseAffine(r.voxelToPatient()), a.voxelToPatient());
  std::array<int, 3> target{};
  std::array<long, 3> sign{};
  std::array<long, 3> offset{};
  for (int axis = 0; axis < 3; ++axis)
  {
    int best = 0;
    for (int row = 1; row < 3; ++row)
    {
      best = std::abs(map[row][axis]) > std::abs(map[best][axis]) ? row : best;
    }
    target[axis] = best;
    sign[axis] = map[best][axis] > 0 ? 1 : -1;
    offset[best] = std::lround(map[best][3]);
    ASSERT_EQ(a.size[axis], r.size[best]) << "axis " << axis << " maps to reference axis " << best;
  }
  // Every corner of `actual` lands on the matching reference voxel centre within the tolerance.
  for (int corner = 0; corner < 8; ++corner)
  {
    Vec3 ijk{};
    std::array<long, 3> expected{};
    for (int axis = 0; axis < 3; ++axis)
    {
      ijk[axis] = (corner >> axis & 1) ? static_cast<double>(a.size[axis] - 1) : 0.0;
      expected[target[axis]] = offset[target[axis]] + sign[axis] * static_cast<long>(ijk[axis]);
    }
    Vec3 referenceIjk{};
    for (int axis = 0; axis < 3; ++axis)
    {
      ASSERT_GE(expected[axis], 0);
      ASSERT_LT(expected[axis], static_cast<long>(r.size[axis]));
      referenceIjk[axis] = static_cast<double>(expected[axis]);
    }
    const Vec3 p = a.voxelToPatient(ijk);
    const Vec3 q = r.voxelToPatient(referenceIjk);
    ASSERT_LE(std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]), toleranceMm)
        << "corner " << corner << " at (" << p[0] << ", " << p[1] << ", " << p[2]
        << ") vs reference (" << q[0] << ", " << q[1] << ", " << q[2] << ")";
  }
  size_t mismatches = 0;
  float largest = 0.0f;
  for (size_t k = 0; k < a.size[2]; ++k)
  {
    for (size_t j = 0; j < a.size[1]; ++j)
    {
      for (size_t i = 0; i < a.size[0]; ++i)
      {
        const std::array<size_t, 3> ijk{i, j, k};
        std::array<size_t, 3> g{};
        for (int axis = 0; axis < 3; ++axis)
        {
          g[target[axis]] =
              static_cast<size_t>(offset[target[axis]] + sign[axis] * static_cast<long>(ijk[axis]));
        }
        const float difference = std::abs(actual.at(i, j, k) - reference.at(g[0], g[1], g[2]));
        // Rescaled values computed in float and double differ in the last bits.
        const float allowed = valueTolerance + 1e-6f * std::abs(reference.at(g[0], g[1], g[2]));
        if (difference > allowed)
        {
          ++mismatches;
          largest = std::max(largest, difference);
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0u) << "largest difference " << largest;
}
} // namespace iris::test
