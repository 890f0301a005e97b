#include "dicom/SegWriter.h"

#include "dicom/DicomInput.h"
#include "tests/dicom/SegTestSupport.h"
#include "tests/support/TempDir.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
std::unique_ptr<DcmFileFormat> openBytes(const std::vector<uint8_t>& bytes)
{
  return dicom::openDicomBytes(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), "SEG");
}

struct ConformanceCase
{
  const char* name;
  const char* series;
  uint16_t segments;
};

class SegWriterConformance : public ::testing::TestWithParam<ConformanceCase>
{
};

// Every case: dciodvfy reports no error, and pydicom decodes exactly the labels written.
TEST_P(SegWriterConformance, ConformsAndDecodesExactly)
{
  const auto& param = GetParam();
  const auto source = sharedSegSource(param.series);
  const auto labels = syntheticLabels(source.series.image.geometry, param.segments);
  const auto segments = testSegments(param.segments);
  TempDir temp;
  const auto output = temp / "seg.dcm";
  dicom::writeSegFile(output, labels, segments, source.series, source.attributes);

  EXPECT_EQ(dciodvfyErrors(output), std::vector<std::string>{});
  const auto decoded = decodeIndependently(output, source);
  EXPECT_EQ(decoded.voxels, toSegmentNumbers(labels, segments).voxels);
}

INSTANTIATE_TEST_SUITE_P(
    Sources, SegWriterConformance,
    ::testing::Values(
        ConformanceCase{"Ct512OneSegment", "dcmqi_seg/ct-3slice", 1},
        ConformanceCase{"CtOddSizeFiveSegments", "sts_sarcoma/dicom/STS_001/CT/image", 5},
        ConformanceCase{"MrOddSizeTwentySegments",
                        "udacity_hippocampus_testvolumes/Study3/11_HCropVolume", 20},
        ConformanceCase{"MrObliqueTenDegrees",
                        "udacity_hippocampus_testvolumes/Study3/11-T1post-18670", 3},
        ConformanceCase{"MrObliqueGe", "dicom2nifti/ge/anatomical/001", 2},
        ConformanceCase{"MrObliqueHitachi39Degrees", "dicom2nifti/hitachi/anatomical/001", 20}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SegWriter, KeepsEmptyFramesWhenAsked)
{
  const auto source = sharedSegSource("dicom2nifti/hitachi/anatomical/001");
  const auto labels = syntheticLabels(source.series.image.geometry, 3);
  const auto segments = testSegments(3);
  dicom::SegWriteOptions options;
  options.omitEmptyFrames = false;
  auto file =
      openBytes(dicom::writeSeg(labels, segments, source.series, source.attributes, options));
  Sint32 frames = 0;
  file->getDataset()->findAndGetSint32(DCM_NumberOfFrames, frames);
  EXPECT_EQ(frames, 3 * 4);

  options.omitEmptyFrames = true;
  file = openBytes(dicom::writeSeg(labels, segments, source.series, source.attributes, options));
  file->getDataset()->findAndGetSint32(DCM_NumberOfFrames, frames);
  EXPECT_LT(frames, 3 * 4); // every segment is absent from every third slice
  EXPECT_GT(frames, 0);
}
} // namespace
} // namespace iris::test
