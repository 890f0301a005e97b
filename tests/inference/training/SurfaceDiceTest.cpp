// Surface Dice against a brute-force definition (every surface voxel against every other), on
// random shapes and anisotropic grids, plus the cases whose answer is known by hand.
#include "inference/training/SurfaceDice.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <stdexcept>
#include <vector>

namespace iris::test
{
namespace
{
using inference::training::surfaceDice;

dicom::LabelVolume emptyVolume(size_t ni, size_t nj, size_t nk, dicom::Vec3 spacing = {1, 1, 1})
{
  dicom::LabelVolume volume;
  volume.geometry.size = {ni, nj, nk};
  volume.geometry.spacing = spacing;
  volume.voxels.assign(ni * nj * nk, 0);
  return volume;
}

void fillBox(dicom::LabelVolume& volume, std::array<size_t, 3> low, std::array<size_t, 3> high,
             uint16_t value)
{
  for (size_t k = low[2]; k < high[2]; ++k)
  {
    for (size_t j = low[1]; j < high[1]; ++j)
    {
      for (size_t i = low[0]; i < high[0]; ++i)
      {
        volume.at(i, j, k) = value;
      }
    }
  }
}

using Voxel = std::array<size_t, 3>;

// The definition, read literally: a voxel of the label with a 6-neighbour outside it or outside
// the volume.
bool onSurface(const dicom::LabelVolume& volume, uint16_t value, const Voxel& voxel)
{
  const auto& size = volume.geometry.size;
  const int offsets[6][3] = {{-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}, {0, 0, -1}, {0, 0, 1}};
  for (const auto& offset : offsets)
  {
    Voxel neighbour{};
    for (int axis = 0; axis < 3; ++axis)
    {
      const long at = static_cast<long>(voxel[axis]) + offset[axis];
      if (at < 0 || at >= static_cast<long>(size[axis]))
      {
        return true;
      }
      neighbour[axis] = static_cast<size_t>(at);
    }
    if (volume.at(neighbour[0], neighbour[1], neighbour[2]) != value)
    {
      return true;
    }
  }
  return false;
}

std::vector<Voxel> surfaceVoxels(const dicom::LabelVolume& volume, uint16_t value)
{
  const auto& size = volume.geometry.size;
  std::vector<Voxel> surface;
  for (size_t k = 0; k < size[2]; ++k)
  {
    for (size_t j = 0; j < size[1]; ++j)
    {
      for (size_t i = 0; i < size[0]; ++i)
      {
        if (volume.at(i, j, k) == value && onSurface(volume, value, {i, j, k}))
        {
          surface.push_back({i, j, k});
        }
      }
    }
  }
  return surface;
}

// Every surface voxel against every surface voxel of the other label.
double bruteForce(const dicom::LabelVolume& a, uint16_t aValue, const dicom::LabelVolume& b,
                  uint16_t bValue, double tolerance)
{
  const auto sa = surfaceVoxels(a, aValue), sb = surfaceVoxels(b, bValue);
  if (sa.empty() || sb.empty())
  {
    return sa.empty() && sb.empty() ? 1.0 : 0.0;
  }
  const auto& spacing = a.geometry.spacing;
  const auto near = [&](const Voxel& p, const std::vector<Voxel>& others)
  {
    for (const auto& q : others)
    {
      double d2 = 0.0;
      for (int axis = 0; axis < 3; ++axis)
      {
        const double d =
            (static_cast<double>(p[axis]) - static_cast<double>(q[axis])) * spacing[axis];
        d2 += d * d;
      }
      if (std::sqrt(d2) <= tolerance + 1e-9)
      {
        return true;
      }
    }
    return false;
  };
  size_t agreeing = 0;
  for (const auto& p : sa)
  {
    agreeing += near(p, sb);
  }
  for (const auto& p : sb)
  {
    agreeing += near(p, sa);
  }
  return static_cast<double>(agreeing) / static_cast<double>(sa.size() + sb.size());
}
} // namespace

TEST(SurfaceDice, IdenticalLabelsScoreOne)
{
  auto volume = emptyVolume(12, 10, 8);
  fillBox(volume, {2, 2, 2}, {7, 6, 5}, 3);
  EXPECT_DOUBLE_EQ(surfaceDice(volume, 3, volume, 3, 0.0), 1.0);
}

TEST(SurfaceDice, AShiftWithinTheToleranceIsForgivenAndBeyondItIsNot)
{
  auto truth = emptyVolume(16, 12, 12);
  auto shifted = emptyVolume(16, 12, 12);
  fillBox(truth, {3, 3, 3}, {9, 8, 8}, 1);
  fillBox(shifted, {4, 3, 3}, {10, 8, 8}, 2);
  EXPECT_DOUBLE_EQ(surfaceDice(truth, 1, shifted, 2, 1.0), 1.0);
  const double strict = surfaceDice(truth, 1, shifted, 2, 0.5);
  EXPECT_LT(strict, 1.0);
  EXPECT_NEAR(strict, bruteForce(truth, 1, shifted, 2, 0.5), 1e-12);
}

TEST(SurfaceDice, DistancesAreInMillimetres)
{
  // One voxel apart along k, where voxels are 2.5 mm apart: outside 1 mm, inside 2.5 mm.
  auto truth = emptyVolume(10, 10, 10, {1.0, 1.0, 2.5});
  auto shifted = emptyVolume(10, 10, 10, {1.0, 1.0, 2.5});
  fillBox(truth, {2, 2, 2}, {8, 8, 6}, 1);
  fillBox(shifted, {2, 2, 3}, {8, 8, 7}, 1);
  EXPECT_LT(surfaceDice(truth, 1, shifted, 1, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(surfaceDice(truth, 1, shifted, 1, 2.5), 1.0);
}

TEST(SurfaceDice, AgreesWithBruteForceOnRandomShapes)
{
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> spacing(0.5, 3.0);
  std::bernoulli_distribution seed(0.08);
  for (int trial = 0; trial < 40; ++trial)
  {
    const dicom::Vec3 grid{spacing(rng), spacing(rng), spacing(rng)};
    auto a = emptyVolume(9, 11, 7, grid);
    auto b = emptyVolume(9, 11, 7, grid);
    // Sparse seeds, each widened by a voxel either way along i, make blobs with holes, islands
    // and edge contact.
    for (auto* volume : {&a, &b})
    {
      auto seeds = *volume;
      for (auto& v : seeds.voxels)
      {
        v = seed(rng);
      }
      for (size_t k = 0; k < 7; ++k)
      {
        for (size_t j = 0; j < 11; ++j)
        {
          for (size_t i = 0; i < 9; ++i)
          {
            if (seeds.at(i, j, k))
            {
              fillBox(*volume, {i ? i - 1 : 0, j, k}, {std::min<size_t>(i + 2, 9), j + 1, k + 1},
                      1);
            }
          }
        }
      }
    }
    for (const double tolerance : {0.0, 1.0, 2.0, 4.5})
    {
      EXPECT_NEAR(surfaceDice(a, 1, b, 1, tolerance), bruteForce(a, 1, b, 1, tolerance), 1e-12)
          << "trial " << trial << ", tolerance " << tolerance;
    }
  }
}

TEST(SurfaceDice, AbsentLabels)
{
  auto empty = emptyVolume(6, 6, 6);
  auto cube = emptyVolume(6, 6, 6);
  fillBox(cube, {1, 1, 1}, {4, 4, 4}, 1);
  EXPECT_DOUBLE_EQ(surfaceDice(empty, 1, empty, 1, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(surfaceDice(cube, 1, empty, 1, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(surfaceDice(empty, 1, cube, 1, 1.0), 0.0);
}

TEST(SurfaceDice, MismatchedGridsAndNegativeTolerancesAreRefused)
{
  auto small = emptyVolume(4, 4, 4);
  auto large = emptyVolume(5, 4, 4);
  EXPECT_THROW(surfaceDice(small, 1, large, 1, 1.0), std::invalid_argument);
  EXPECT_THROW(surfaceDice(small, 1, small, 1, -1.0), std::invalid_argument);
}
} // namespace iris::test
