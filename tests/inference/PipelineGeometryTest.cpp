// Geometry and intensity of the pipeline on real volumes, with the network bypassed.
#include "dicom/Nifti.h"
#include "inference/Postprocess.h"
#include "inference/Preprocess.h"
#include "inference/SegmentationError.h"
#include "inference/SlidingWindow.h"
#include "tests/support/SharedData.h"

#include <cmath>
#include <gtest/gtest.h>
#include <iostream>
#include <set>

namespace iris::inference
{
namespace
{
dicom::VolumeGeometry obliqueGeometry()
{
  dicom::VolumeGeometry geometry;
  geometry.size = {7, 5, 4};
  geometry.spacing = {0.8, 1.3, 3.0};
  geometry.origin = {10.0, -20.0, 35.0};
  // i mostly toward Posterior, j mostly toward Inferior, k mostly toward Left, all tilted.
  const double c = std::cos(0.3), s = std::sin(0.3);
  geometry.axes = {{{0.0, c, s}, {0.0, s, -c}, {1.0, 0.0, 0.0}}};
  return geometry;
}

TEST(Orient, IdentityLpsFlipsRowAndColumnToRas)
{
  const auto orientation = closestRasOrientation(dicom::VolumeGeometry{});
  EXPECT_EQ(orientation.sourceAxis, (std::array<int, 3>{2, 1, 0}));
  EXPECT_EQ(orientation.flipped, (std::array<bool, 3>{false, true, true}));
}

TEST(Orient, ObliqueAxesGoToTheirClosestRasAxis)
{
  const auto orientation = closestRasOrientation(obliqueGeometry());
  // D (Superior) <- j flipped, H (Anterior) <- i flipped, W (Right) <- k flipped.
  EXPECT_EQ(orientation.sourceAxis, (std::array<int, 3>{1, 0, 2}));
  EXPECT_EQ(orientation.flipped, (std::array<bool, 3>{true, true, true}));
  const auto source = torch::rand({4, 5, 7});
  const auto ras = orientToRas(source, orientation);
  EXPECT_EQ(ras.sizes().vec(), (std::vector<int64_t>{5, 7, 4}));
  EXPECT_TRUE(torch::equal(orientToSource(ras, orientation), source));
}

// A linear function of patient position is reproduced exactly by trilinear resampling, so the
// model grid must carry each voxel's physical position.
TEST(Resample, ModelGridKeepsPhysicalPositions)
{
  const auto geometry = obliqueGeometry();
  const dicom::Vec3 direction{0.3, -0.5, 0.8};
  auto positionValue = [&](const dicom::Vec3& p)
  { return direction[0] * p[0] + direction[1] * p[1] + direction[2] * p[2]; };
  dicom::ImageVolume image;
  image.geometry = geometry;
  for (size_t k = 0; k < 4; ++k)
    for (size_t j = 0; j < 5; ++j)
      for (size_t i = 0; i < 7; ++i)
        image.voxels.push_back(static_cast<float>(
            positionValue(geometry.voxelToPatient({double(i), double(j), double(k)}))));

  auto grid = planModelGrid(geometry, 1.1);
  grid.cropBegin = {1, 1, 1};
  const auto model = toModelGrid(imageToTensor(image), grid, Interpolation::Linear);
  const auto spacing = grid.spacing();
  const auto sizes = grid.croppedSize();
  for (int64_t d = 0; d < sizes[0]; ++d)
    for (int64_t h = 0; h < sizes[1]; ++h)
      for (int64_t w = 0; w < sizes[2]; ++w)
      {
        // Continuous source index of this model voxel centre, then its position.
        dicom::Vec3 ijk{};
        const std::array<int64_t, 3> t{d, h, w};
        bool interior = true;
        for (int dim = 0; dim < 3; ++dim)
        {
          const double n = static_cast<double>(grid.orientedSize[dim]);
          double oriented = (static_cast<double>(t[dim] + grid.cropBegin[dim]) + 0.5) * n /
                                static_cast<double>(grid.size[dim]) -
                            0.5;
          interior = interior && oriented >= 0.0 && oriented <= n - 1.0;
          const int axis = grid.orientation.sourceAxis[dim];
          ijk[axis] = grid.orientation.flipped[dim] ? n - 1.0 - oriented : oriented;
        }
        if (interior)
        {
          EXPECT_NEAR(model[d][h][w].item<double>(), positionValue(geometry.voxelToPatient(ijk)),
                      1e-3);
        }
      }
  EXPECT_NEAR(spacing[0], 5 * 1.3 / grid.size[0], 1e-9);
}

TEST(SlidingWindow, StartsCoverTheVolumeWithOneFlushWindow)
{
  EXPECT_EQ(windowStarts(128, 128, 64), (std::vector<int64_t>{0}));
  EXPECT_EQ(windowStarts(300, 128, 64), (std::vector<int64_t>{0, 64, 128, 172}));
  EXPECT_EQ(windowStarts(192, 128, 64), (std::vector<int64_t>{0, 64}));
}

TEST(SlidingWindow, GaussianPeaksAtOneInTheCentre)
{
  SlidingWindowOptions options;
  options.patch = {16, 16, 8};
  const auto g = gaussianWeights(options);
  EXPECT_FLOAT_EQ(g.max().item<float>(), 1.0f);
  EXPECT_NEAR(g[7][7][3].item<float>(), g[8][8][4].item<float>(), 1e-6);
  EXPECT_LT(g[0][0][0].item<float>(), 0.01f);
}

// Windows see the right voxels: a predictor echoing a sigmoid of its input must blend back
// into the same function of the whole image, padding included for a query under the patch.
TEST(SlidingWindow, BlendsOverlappingWindowsBackIntoTheImage)
{
  const auto image = torch::randn({40, 23, 70});
  SlidingWindowOptions options;
  options.patch = {32, 32, 32};
  int calls = 0;
  const auto result = slidingWindow(
      image,
      [&](const torch::Tensor& window, const Index3&)
      {
        ++calls;
        return torch::cat({torch::sigmoid(window), 1 - torch::sigmoid(window)}, 1);
      },
      options);
  // D: starts 0, 8; H: padded to 32, one window; W: 0, 16, 32, 38.
  EXPECT_EQ(calls, 2 * 1 * 4);
  ASSERT_EQ(result.sizes().vec(), (std::vector<int64_t>{2, 40, 23, 70}));
  EXPECT_TRUE(torch::allclose(result[0], torch::sigmoid(image), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(result[1], 1 - torch::sigmoid(image), 1e-5, 1e-6));
}

TEST(Intensity, CtIsClippedThenZScored)
{
  auto image = torch::tensor({-2000.0f, -990.0f, 0.0f, 500.0f, 3000.0f});
  IntensityStatistics stats;
  const auto result = normaliseIntensity(image, IntensityModality::CT, &stats);
  EXPECT_DOUBLE_EQ(stats.clipLow, -990.0);
  EXPECT_DOUBLE_EQ(stats.clipHigh, 500.0);
  EXPECT_NEAR(result.mean().item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(result.std(false).item<double>(), 1.0, 1e-5);
  EXPECT_FLOAT_EQ(result[0].item<float>(), result[1].item<float>());
}

TEST(Intensity, MrIsClippedToThePercentiles)
{
  auto image = torch::arange(1001, torch::kFloat32);
  IntensityStatistics stats;
  normaliseIntensity(image, IntensityModality::MR, &stats);
  EXPECT_NEAR(stats.clipLow, 20.0, 1.0);
  EXPECT_NEAR(stats.clipHigh, 980.0, 1.0);
}

TEST(Intensity, NonFiniteVoxelsBecomeTheLowestFiniteValue)
{
  auto image = torch::tensor({5.0f, NAN, 2.0f, INFINITY, -INFINITY});
  EXPECT_EQ(replaceNonFinite(image), 3);
  EXPECT_TRUE(torch::equal(image, torch::tensor({5.0f, 2.0f, 2.0f, 2.0f, 2.0f})));
  auto hopeless = torch::full({3}, NAN);
  EXPECT_THROW(replaceNonFinite(hopeless), std::invalid_argument);
}

dicom::ImageVolume syntheticImage(const std::array<size_t, 3>& size, float value)
{
  dicom::ImageVolume image;
  image.geometry.size = size;
  image.geometry.spacing = {1.5, 1.5, 1.5};
  image.voxels.assign(image.geometry.voxelCount(), value);
  return image;
}

TEST(Crop, BodyBoxIsTheLargestBodyPlusItsMargin)
{
  auto image = torch::full({40, 50, 60}, -1000.0f);
  image.slice(0, 10, 20).slice(1, 5, 45).slice(2, 20, 30).fill_(40.0f);
  image[35][2][2] = 100.0f; // a speck of noise, not the body
  const Box box = bodyBox(image, IntensityModality::CT, {2, 3, 4});
  EXPECT_EQ(box.begin, (Index3{8, 2, 16}));
  EXPECT_EQ(box.end, (Index3{22, 48, 34}));
  const Box whole = bodyBox(torch::full({4, 5, 6}, -1000.0f), IntensityModality::CT);
  EXPECT_EQ(whole.end, (Index3{4, 5, 6}));
}

TEST(Crop, ExtractBoxPadsOutsideWithZeros)
{
  const auto values = torch::ones({2, 3, 4});
  Box box;
  box.begin = {-1, 1, 2};
  box.end = {3, 4, 6};
  const auto crop = extractBox(values, box);
  EXPECT_EQ(crop.sizes().vec(), (std::vector<int64_t>{4, 3, 4}));
  EXPECT_EQ(crop.sum().item<float>(), 2 * 2 * 2);
  EXPECT_EQ(crop[0].sum().item<float>(), 0.0f);
}

TEST(ReferenceCrop, ClassesShareACropOnlyWhenTheyFitInOnePatch)
{
  auto image = syntheticImage({20, 20, 100}, 10.0f);
  dicom::LabelVolume labels{image.geometry, std::vector<uint16_t>(image.voxels.size(), 0)};
  labels.at(10, 10, 5) = 1;
  labels.at(10, 10, 12) = 2;
  labels.at(11, 10, 95) = 3;
  PreprocessOptions options;
  options.patch = {32, 32, 32};
  const auto near = prepareReference(image, labels, {2, 1}, "MR", options);
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0].classes, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(near[0].masks.sizes().vec(), (std::vector<int64_t>{1, 2, 32, 32, 32}));
  EXPECT_EQ(near[0].masks.sum().item<float>(), 2.0f);

  const auto far = prepareReference(image, labels, {1, 3}, "MR", options);
  ASSERT_EQ(far.size(), 2u);
  for (const auto& crop : far)
  {
    EXPECT_EQ(crop.classes.size(), 1u);
    EXPECT_EQ(crop.masks.sum().item<float>(), 1.0f); // each crop holds its own class
  }

  EXPECT_THROW(prepareReference(image, labels, {4}, "MR", options), SegmentationError);
  auto shifted = labels;
  shifted.geometry.origin[0] += 5.0;
  EXPECT_THROW(prepareReference(image, shifted, {1}, "MR", options), SegmentationError);
}

struct RoundTripCase
{
  std::string image;
  std::string label; // empty: threshold the image at its median instead
  std::string modality;
  double spacingMm; // 0: 0.7 x the finest source spacing (a non-integer ratio on every axis)
  double minimumDice;
};

std::ostream& operator<<(std::ostream& out, const RoundTripCase& c)
{
  return out << c.image << " @ " << c.spacingMm << " mm";
}

class RoundTrip : public ::testing::TestWithParam<RoundTripCase>
{
};

dicom::LabelVolume medianThreshold(const dicom::ImageVolume& image)
{
  const auto tensor = imageToTensor(image);
  const double median = sampledQuantile(tensor, 0.5);
  return tensorToLabels((tensor > median).to(torch::kInt32), image.geometry);
}

// The reference label, mapped onto the query's model grid exactly as the image is (one soft
// channel per class), is fed through the sliding window as the prediction; restoring it onto
// the source voxels must give back the label.
TEST_P(RoundTrip, LabelSurvivesEveryResampling)
{
  const auto& param = GetParam();
  const auto data = test::sharedDataDir();
  const auto image = dicom::readNiftiImage(data / param.image);
  const auto label =
      param.label.empty() ? medianThreshold(image) : dicom::readNiftiLabels(data / param.label);
  std::vector<uint16_t> classes;
  for (const auto value : std::set<uint16_t>(label.voxels.begin(), label.voxels.end()))
    if (value != 0)
      classes.push_back(value);
  ASSERT_FALSE(classes.empty());

  PreprocessOptions options;
  const auto& sp = image.geometry.spacing;
  options.spacingMm = param.spacingMm > 0 ? param.spacingMm : 0.7 * std::min({sp[0], sp[1], sp[2]});
  options.patch = {64, 64, 64};
  const auto query = prepareQuery(image, param.modality, options);
  EXPECT_TRUE(torch::isfinite(query.image).all().item<bool>());

  const auto source = labelsToTensor(label);
  std::vector<torch::Tensor> oneHot;
  for (const auto value : classes)
    oneHot.push_back((source == value).to(torch::kFloat32));
  const auto soft = padToAtLeast(
      toModelGrid(torch::stack(oneHot), query.grid, Interpolation::Linear), options.patch);

  SlidingWindowOptions window;
  window.patch = options.patch;
  const auto probabilities = slidingWindow(
      query.image,
      [&](const torch::Tensor&, const Index3& s)
      {
        return soft.slice(1, s[0], s[0] + 64)
            .slice(2, s[1], s[1] + 64)
            .slice(3, s[2], s[2] + 64)
            .unsqueeze(0);
      },
      window);
  const auto restored = restoreLabels(probabilities, query.grid, 0.5, false);
  ASSERT_TRUE(restored.geometry.sameGrid(label.geometry));

  dicom::LabelVolume expected = label;
  for (size_t k = 0; k < classes.size(); ++k)
  {
    // Restored values are class positions 1..K.
    for (size_t v = 0; v < expected.voxels.size(); ++v)
      if (label.voxels[v] == classes[k])
        expected.voxels[v] = static_cast<uint16_t>(k + 1);
  }
  for (size_t k = 0; k < classes.size(); ++k)
  {
    const double score = dice(restored, expected, static_cast<uint16_t>(k + 1));
    EXPECT_GE(score, param.minimumDice) << "class " << classes[k];
    std::cout << "  Dice class " << classes[k] << ": " << score << "\n";
  }
}

// Default 1.5 mm where the structures are large enough to survive it; finer than the source
// for small structures, whose boundary 1.5 mm cannot carry (a 1 mm hippocampus
// round-trips at about 0.97 through 1.5 mm in any resampler); anisotropic and oblique grids.
INSTANTIATE_TEST_SUITE_P(
    RealVolumes, RoundTrip,
    ::testing::Values(
        RoundTripCase{"sts_sarcoma/nifti/STS_001_CT_image.nii.gz",
                      "sts_sarcoma/nifti/STS_001_CT_mask.nii.gz", "CT", 1.5, 0.99},
        RoundTripCase{"sts_sarcoma/nifti/STS_002_MR_T1_image.nii.gz",
                      "sts_sarcoma/nifti/STS_002_MR_T1_mask.nii.gz", "MR", 1.5, 0.99},
        RoundTripCase{"sts_sarcoma/nifti/STS_003_PET_image.nii.gz",
                      "sts_sarcoma/nifti/STS_003_PET_mask.nii.gz", "PET", 1.5, 0.99},
        RoundTripCase{"msd_hippocampus/images/hippocampus_001.nii.gz",
                      "msd_hippocampus/labels/hippocampus_001.nii.gz", "MR", 0, 0.99},
        RoundTripCase{"msd_hippocampus/images/hippocampus_001.nii.gz",
                      "msd_hippocampus/labels/hippocampus_001.nii.gz", "MR", 1.5, 0.95},
        RoundTripCase{"itksnap_mricrop/MRIcrop-orig.nii.gz", "itksnap_mricrop/MRIcrop-seg.nii.gz",
                      "MR", 0, 0.99},
        RoundTripCase{"sct_spinalcord/t2s/t2s.nii.gz", "sct_spinalcord/t2s/t2s_seg.nii.gz", "MR", 0,
                      0.99},
        RoundTripCase{"sct_spinalcord/mt/mt1.nii.gz", "sct_spinalcord/mt/mt1_seg.nii.gz", "MR", 0,
                      0.99},
        RoundTripCase{"dicom2nifti/hitachi/anatomical/001_ground_truth.nii.gz", "", "MR", 0, 0.99},
        RoundTripCase{"dicom2nifti/generic/anatomical/002_non_isotropic_ground_truth.nii.gz", "",
                      "MR", 0, 0.99}));
} // namespace
} // namespace iris::inference
