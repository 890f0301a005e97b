#include "dicom/SegReader.h"

#include "dicom/SegWriter.h"
#include "tests/dicom/SegTestSupport.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <numeric>

namespace iris::test
{
namespace
{
void expectSameDescription(const dicom::SegSegment& read, const dicom::SegmentDescription& written,
                           uint16_t number)
{
  EXPECT_EQ(read.number, number);
  EXPECT_EQ(read.algorithmType, "AUTOMATIC");
  EXPECT_EQ(read.description.label, written.label);
  EXPECT_EQ(read.description.category, written.category);
  EXPECT_EQ(read.description.type, written.type);
  EXPECT_EQ(read.description.colour, written.colour);
  EXPECT_EQ(read.description.algorithmName, written.algorithmName);
  EXPECT_EQ(read.description.algorithmVersion, written.algorithmVersion);
}

void expectExactRoundTrip(const std::string& series, uint16_t segmentCount, bool omitEmpty)
{
  const auto source = sharedSegSource(series);
  const auto labels = syntheticLabels(source.series.image.geometry, segmentCount);
  auto segments = testSegments(segmentCount);
  // Label values need not be segment numbers: write them in reverse order.
  std::reverse(segments.begin(), segments.end());
  dicom::SegWriteOptions options;
  options.omitEmptyFrames = omitEmpty;
  const auto bytes = dicom::writeSeg(labels, segments, source.series, source.attributes, options);

  const auto content = dicom::readSegBuffer(bytes, source.series);
  EXPECT_EQ(content.segmentationType, "BINARY");
  EXPECT_FALSE(content.overlapping);
  if (!source.series.frameOfReferenceUid.empty())
    EXPECT_EQ(content.frameOfReferenceUid, source.series.frameOfReferenceUid);
  else
    EXPECT_FALSE(content.frameOfReferenceUid.empty()) << "a SEG needs a frame of reference";
  EXPECT_TRUE(content.labels.geometry.sameGrid(source.series.image.geometry));
  EXPECT_EQ(content.labels.voxels, toSegmentNumbers(labels, segments).voxels);
  ASSERT_EQ(content.segments.size(), segments.size());
  for (size_t n = 0; n < segments.size(); ++n)
    expectSameDescription(content.segments[n], segments[n], static_cast<uint16_t>(n + 1));
}

TEST(SegRoundTrip, OddSizeCtFiveSegmentsIsExact)
{
  expectExactRoundTrip("sts_sarcoma/dicom/STS_001/CT/image", 5, true);
}

TEST(SegRoundTrip, OddSizeMrTwentySegmentsWithEmptyFramesIsExact)
{
  expectExactRoundTrip("udacity_hippocampus_testvolumes/Study3/11_HCropVolume", 20, false);
}

TEST(SegRoundTrip, ObliqueMrIsExact)
{
  expectExactRoundTrip("dicom2nifti/hitachi/anatomical/001", 4, true);
}

TEST(SegRoundTrip, EnhancedMultiFrameSourceIsExact)
{
  expectExactRoundTrip("dicom2nifti/philips_enhanced/anatomical/001", 3, true);
}

TEST(SegRoundTrip, EmptySegmentsKeepOneEmptyFrameEach)
{
  const auto source = sharedSegSource("dcmqi_seg/ct-3slice");
  dicom::LabelVolume labels{source.series.image.geometry,
                            std::vector<uint16_t>(source.series.image.geometry.voxelCount(), 0)};
  const auto bytes = dicom::writeSeg(labels, testSegments(2), source.series, source.attributes);
  const auto content = dicom::readSegBuffer(bytes, source.series);
  EXPECT_EQ(content.frameCount, 2u);
  EXPECT_EQ(content.segments.size(), 2u);
  EXPECT_EQ(content.labels.voxels, labels.voxels);
}

// Third-party SEGs: our reader must agree voxel for voxel with pydicom's decode.
void expectAgreesWithPydicom(const std::string& seg, const std::string& series,
                             dicom::SegContent& content)
{
  const auto source = sharedSegSource(series);
  dicom::SegReadOptions options;
  options.keepSegmentMasks = true;
  content = dicom::readSeg(sharedDataDir() / seg, source.series, options);
  std::map<uint16_t, size_t> voxelsPerSegment;
  const auto decoded = decodeIndependently(sharedDataDir() / seg, source, &voxelsPerSegment);
  EXPECT_EQ(content.labels.voxels, decoded.voxels);
  ASSERT_EQ(content.segmentMasks.size(), content.segments.size());
  for (size_t n = 0; n < content.segments.size(); ++n)
  {
    const auto& mask = content.segmentMasks[n].voxels;
    EXPECT_EQ(static_cast<size_t>(std::count(mask.begin(), mask.end(), 1)),
              voxelsPerSegment[content.segments[n].number])
        << "segment " << content.segments[n].number;
  }
}

TEST(SegThirdParty, DcmqiLiver)
{
  dicom::SegContent content;
  expectAgreesWithPydicom("dcmqi_seg/liver.dcm", "dcmqi_seg/ct-3slice", content);
  ASSERT_EQ(content.segments.size(), 1u);
  EXPECT_EQ(content.segments[0].description.label, "Liver");
  EXPECT_EQ(content.segments[0].description.type.meaning, "Liver");
  EXPECT_NE(content.segments[0].description.colour, dicom::CieLabColour{});
  EXPECT_GT(std::count_if(content.labels.voxels.begin(), content.labels.voxels.end(),
                          [](uint16_t v) { return v == 1; }),
            1000);
}

TEST(SegThirdParty, DcmqiOverlappingSegmentsKeepEveryMaskAndHighestNumberWins)
{
  dicom::SegContent content;
  expectAgreesWithPydicom("dcmqi_seg/partial_overlaps.dcm", "dcmqi_seg/ct-3slice", content);
  ASSERT_EQ(content.segments.size(), 5u);
  EXPECT_EQ(content.segments[0].description.label, "GREEN");
  EXPECT_EQ(content.segments[4].description.label, "DARK_BLUE");
  EXPECT_TRUE(content.overlapping);
  EXPECT_EQ(content.frameCount, 7u);
}

TEST(SegThirdParty, FractionalBreastSegWithoutReferencesIsPlacedByPosition)
{
  dicom::SegContent content;
  expectAgreesWithPydicom("breast_dce_seg/UCSF-BR-06/mask/1-1.dcm",
                          "breast_dce_seg/UCSF-BR-06/image_dce_pe1", content);
  EXPECT_EQ(content.segmentationType, "FRACTIONAL");
  EXPECT_EQ(content.frameCount, 42u);
  ASSERT_EQ(content.segments.size(), 1u);
  EXPECT_EQ(content.segments[0].description.label, "Breast");
  EXPECT_GT(std::count(content.labels.voxels.begin(), content.labels.voxels.end(), 1), 1000);
}
} // namespace
} // namespace iris::test
