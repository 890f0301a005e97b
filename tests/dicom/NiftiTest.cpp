#include "dicom/Nifti.h"

#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <nifti1_io.h>
#include <set>

namespace iris::dicom
{
namespace
{
VolumeGeometry obliqueGeometry()
{
  VolumeGeometry geometry;
  geometry.size = {5, 4, 3};
  geometry.spacing = {0.8, 1.25, 3.0};
  geometry.origin = {-120.5, 33.25, 71.0};
  const double c = std::cos(0.4), s = std::sin(0.4);
  // Left-handed on purpose (k = -(i x j)), as DICOM stacks sorted against the normal are.
  geometry.axes = {Vec3{c, s, 0.0}, Vec3{-s, c, 0.0}, Vec3{0.0, 0.0, -1.0}};
  return geometry;
}

template <typename T> Volume<T> rampVolume(T step)
{
  Volume<T> volume;
  volume.geometry = obliqueGeometry();
  volume.voxels.resize(volume.geometry.voxelCount());
  for (size_t index = 0; index < volume.voxels.size(); ++index)
  {
    volume.voxels[index] = static_cast<T>(index) * step;
  }
  return volume;
}

void expectSameGeometry(const VolumeGeometry& actual, const VolumeGeometry& expected)
{
  EXPECT_EQ(actual.size, expected.size);
  EXPECT_TRUE(actual.sameGrid(expected, 1e-4));
  for (int axis = 0; axis < 3; ++axis)
  {
    EXPECT_NEAR(actual.spacing[axis], expected.spacing[axis], 1e-5);
  }
}

class NiftiRoundTrip : public ::testing::TestWithParam<std::string>
{
};

TEST_P(NiftiRoundTrip, ImageKeepsValuesAndGeometry)
{
  test::TempDir dir;
  const auto image = rampVolume<float>(-0.25f);
  const auto path = dir / ("image" + GetParam());
  writeNiftiImage(path, image);
  std::ifstream written(path, std::ios::binary);
  const bool gzipped = written.get() == 0x1f && written.get() == 0x8b;
  EXPECT_EQ(gzipped, GetParam() == ".nii.gz");
  const auto read = readNiftiImage(path);
  expectSameGeometry(read.geometry, image.geometry);
  EXPECT_EQ(read.voxels, image.voxels);
}

TEST_P(NiftiRoundTrip, LabelsKeepValuesAndGeometry)
{
  test::TempDir dir;
  const auto labels = rampVolume<uint16_t>(1000);
  const auto path = dir / ("labels" + GetParam());
  writeNiftiLabels(path, labels);
  const auto read = readNiftiLabels(path);
  expectSameGeometry(read.geometry, labels.geometry);
  EXPECT_EQ(read.voxels, labels.voxels);
}

INSTANTIATE_TEST_SUITE_P(Extensions, NiftiRoundTrip, ::testing::Values(".nii", ".nii.gz"),
                         [](const auto& info) { return info.param == ".nii" ? "nii" : "niigz"; });

TEST(Nifti, WritesRasAffineInBothSformAndQform)
{
  test::TempDir dir;
  const auto image = rampVolume<float>(1.0f);
  const auto path = dir / "ras.nii";
  writeNiftiImage(path, image);
  std::unique_ptr<nifti_image, void (*)(nifti_image*)> raw(nifti_image_read(path.c_str(), 0),
                                                           nifti_image_free);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->sform_code, NIFTI_XFORM_SCANNER_ANAT);
  EXPECT_EQ(raw->qform_code, NIFTI_XFORM_SCANNER_ANAT);
  // LPS origin (-120.5, 33.25, 71) is RAS (120.5, -33.25, 71).
  EXPECT_NEAR(raw->sto_xyz.m[0][3], 120.5, 1e-4);
  EXPECT_NEAR(raw->sto_xyz.m[1][3], -33.25, 1e-4);
  EXPECT_NEAR(raw->sto_xyz.m[2][3], 71.0, 1e-4);
  EXPECT_NEAR(raw->sto_xyz.m[2][2], -3.0, 1e-5);
  for (int row = 0; row < 3; ++row)
  {
    for (int column = 0; column < 4; ++column)
    {
      EXPECT_NEAR(raw->qto_xyz.m[row][column], raw->sto_xyz.m[row][column], 1e-4);
    }
  }
}

TEST(Nifti, ReadsSharedHippocampusImageAndLabels)
{
  const auto data = test::sharedDataDir() / "msd_hippocampus";
  const auto image = readNiftiImage(data / "images" / "hippocampus_001.nii.gz");
  const auto labels = readNiftiLabels(data / "labels" / "hippocampus_001.nii.gz");
  EXPECT_EQ(image.geometry.size, (std::array<size_t, 3>{35, 51, 35}));
  EXPECT_TRUE(labels.geometry.sameGrid(image.geometry));
  EXPECT_NEAR(image.geometry.spacing[0], 1.0, 1e-6);
  const std::set<uint16_t> values(labels.voxels.begin(), labels.voxels.end());
  EXPECT_EQ(values, (std::set<uint16_t>{0, 1, 2}));
  EXPECT_EQ(readNiftiGeometry(data / "images" / "hippocampus_001.nii.gz").size,
            image.geometry.size);
}

TEST(Nifti, RejectsNonIntegerLabels)
{
  test::TempDir dir;
  auto image = rampVolume<float>(1.0f);
  image.voxels[7] = 2.5f;
  writeNiftiImage(dir / "fractional.nii.gz", image);
  try
  {
    readNiftiLabels(dir / "fractional.nii.gz");
    FAIL() << "fractional labels were accepted";
  }
  catch (const NiftiError& error)
  {
    EXPECT_NE(std::string(error.what()).find("voxel 7"), std::string::npos) << error.what();
  }
}

TEST(Nifti, RejectsMissingGarbageAndWrongNames)
{
  test::TempDir dir;
  EXPECT_THROW(readNiftiImage(dir / "absent.nii.gz"), NiftiError);
  std::ofstream(dir / "garbage.nii") << "this is not a NIfTI header";
  EXPECT_THROW(readNiftiImage(dir / "garbage.nii"), NiftiError);
  EXPECT_THROW(readNiftiImage(dir / "image.mgz"), NiftiError);
  EXPECT_THROW(writeNiftiImage(dir / "missing-folder" / "out.nii", rampVolume<float>(1.0f)),
               NiftiError);
  ImageVolume inconsistent = rampVolume<float>(1.0f);
  inconsistent.voxels.pop_back();
  EXPECT_THROW(writeNiftiImage(dir / "short.nii", inconsistent), NiftiError);
}
} // namespace
} // namespace iris::dicom
