#include "dicom/Nifti.h"
#include "dicom/SegReader.h"
#include "dicom/SegSource.h"
#include "tests/dicom/SegTestSupport.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"
#include "tools/CommandLine.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <sstream>

namespace iris::test
{
namespace
{
struct CliResult
{
  int exitCode = -1;
  std::string out;
  std::string err;
};

CliResult iris(const std::vector<std::string>& args)
{
  std::ostringstream out, err;
  CliResult result;
  result.exitCode = cli::runCommandLine(args, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

TEST(SegCommands, NiftiToSegToNiftiRoundTripsWithNamedSegments)
{
  TempDir temp;
  const std::string series = (sharedDataDir() / "dcmqi_seg/ct-3slice").string();
  const auto source = sharedSegSource("dcmqi_seg/ct-3slice");
  const auto labels = syntheticLabels(source.series.image.geometry, 3);
  dicom::writeNiftiLabels(temp / "labels.nii.gz", labels);

  const auto written = iris({"nifti2seg", (temp / "labels.nii.gz").string(), series,
                             (temp / "seg.dcm").string(), "--segments", "1=Liver,3=Tumour core"});
  ASSERT_EQ(written.exitCode, 0) << written.err;
  EXPECT_EQ(dciodvfyErrors(temp / "seg.dcm"), std::vector<std::string>{});
  const auto content = dicom::readSeg(temp / "seg.dcm", source.series);
  ASSERT_EQ(content.segments.size(), 3u);
  EXPECT_EQ(content.segments[0].description.label, "Liver");
  EXPECT_EQ(content.segments[0].description.type.value, "10200004");
  EXPECT_EQ(content.segments[1].description.label, "Segment 2");
  EXPECT_EQ(content.segments[2].description.label, "Tumour core");

  const auto read =
      iris({"seg2nifti", (temp / "seg.dcm").string(), series, (temp / "back.nii.gz").string()});
  ASSERT_EQ(read.exitCode, 0) << read.err;
  EXPECT_NE(read.out.find("3: Tumour core"), std::string::npos) << read.out;
  const auto back = dicom::readNiftiLabels(temp / "back.nii.gz");
  EXPECT_TRUE(back.geometry.sameGrid(source.series.image.geometry));
  EXPECT_EQ(back.voxels, labels.voxels);
}

// The STS_001 reference mask is a real label map on the DICOM CT grid (NIfTI from elsewhere).
TEST(SegCommands, RealCtMaskBecomesAConformingSeg)
{
  TempDir temp;
  const auto mask = sharedDataDir() / "sts_sarcoma/nifti/STS_001_CT_mask.nii.gz";
  const auto series = sharedDataDir() / "sts_sarcoma/dicom/STS_001/CT/image";
  const auto written = iris({"nifti2seg", mask.string(), series.string(),
                             (temp / "gtv.dcm").string(), "--segments", "1=Mass"});
  ASSERT_EQ(written.exitCode, 0) << written.err;
  EXPECT_EQ(dciodvfyErrors(temp / "gtv.dcm"), std::vector<std::string>{});
  const auto read = iris(
      {"seg2nifti", (temp / "gtv.dcm").string(), series.string(), (temp / "gtv.nii.gz").string()});
  ASSERT_EQ(read.exitCode, 0) << read.err;
  const auto original = dicom::readNiftiLabels(mask);
  const auto back = dicom::readNiftiLabels(temp / "gtv.nii.gz");
  EXPECT_GT(std::count(back.voxels.begin(), back.voxels.end(), 1), 100);
  EXPECT_EQ(back.voxels, original.voxels);
}

// A label NIfTI stored in another axis direction (k reversed, as RAS-ordering writers do) still
// lands on the series' slices.
TEST(SegCommands, LabelsStoredWithReversedSlicesAreReindexed)
{
  TempDir temp;
  const auto series = sharedDataDir() / "udacity_hippocampus_testvolumes/Study3/11_HCropVolume";
  const auto source = dicom::loadSegSource(series);
  const auto labels = syntheticLabels(source.series.image.geometry, 2);
  auto reversed = labels;
  auto& geometry = reversed.geometry;
  geometry.origin = labels.geometry.voxelToPatient({0.0, 0.0, double(geometry.size[2] - 1)});
  for (auto& component : geometry.axes[2])
    component = -component;
  const size_t plane = geometry.size[0] * geometry.size[1];
  for (size_t k = 0; k < geometry.size[2]; ++k)
    std::copy_n(labels.voxels.begin() + long(k * plane), plane,
                reversed.voxels.begin() + long((geometry.size[2] - 1 - k) * plane));
  dicom::writeNiftiLabels(temp / "reversed.nii.gz", reversed);

  const auto written = iris({"nifti2seg", (temp / "reversed.nii.gz").string(), series.string(),
                             (temp / "seg.dcm").string()});
  ASSERT_EQ(written.exitCode, 0) << written.err;
  EXPECT_EQ(dicom::readSeg(temp / "seg.dcm", source.series).labels.voxels, labels.voxels);
}

TEST(SegCommands, WrongArgumentsAreUsageErrors)
{
  EXPECT_EQ(iris({"nifti2seg", "only-one"}).exitCode, 2);
  EXPECT_EQ(iris({"seg2nifti"}).exitCode, 2);
  const auto badOption = iris({"nifti2seg", "a", "b", "c", "--frobnicate"});
  EXPECT_EQ(badOption.exitCode, 2);
  EXPECT_NE(badOption.err.find("--frobnicate"), std::string::npos);
  const auto badSegments = iris({"nifti2seg", "a", "b", "c", "--segments", "liver"});
  EXPECT_EQ(badSegments.exitCode, 1);
  EXPECT_NE(badSegments.err.find("\"liver\""), std::string::npos) << badSegments.err;
}

TEST(SegCommands, LabelsOffTheSeriesGridFailWithAMessage)
{
  TempDir temp;
  const auto mask = sharedDataDir() / "sts_sarcoma/nifti/STS_001_CT_mask.nii.gz";
  const auto result =
      iris({"nifti2seg", mask.string(), (sharedDataDir() / "dcmqi_seg/ct-3slice").string(),
            (temp / "x.dcm").string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("not on the grid"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(temp / "x.dcm"));
}

TEST(SegCommands, NonSegInputFailsWithAMessage)
{
  TempDir temp;
  const auto series = sharedDataDir() / "dcmqi_seg/ct-3slice";
  const auto result = iris(
      {"seg2nifti", (series / "01.dcm").string(), series.string(), (temp / "x.nii.gz").string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("not a Segmentation Storage object"), std::string::npos) << result.err;
}
} // namespace
} // namespace iris::test
