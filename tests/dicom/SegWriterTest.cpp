#include "dicom/SegWriter.h"

#include "dicom/DicomInput.h"
#include "tests/dicom/SegTestSupport.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
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
  EXPECT_EQ(dcentvfyErrors(output, sharedDataDir() / param.series), std::vector<std::string>{});
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
        ConformanceCase{"MrEnhancedMultiFrame", "dicom2nifti/philips_enhanced/anatomical/001", 3},
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

namespace iris::test
{
namespace
{
TEST(SegWriter, WritesFromTheSeriesFieldsAloneAndCopiesExactSourceText)
{
  const auto source = sharedSegSource("sts_sarcoma/dicom/STS_001/CT/image");
  ASSERT_EQ(source.attributes.imagePositions.size(), source.series.slices.size());
  const auto labels = syntheticLabels(source.series.image.geometry, 2);
  const auto segments = testSegments(2);
  auto attributes = dicom::segSourceAttributesFromSeries(source.series);
  attributes.imageOrientation = source.attributes.imageOrientation;
  attributes.imagePositions = source.attributes.imagePositions;
  TempDir temp;
  dicom::writeSegFile(temp / "seg.dcm", labels, segments, source.series, attributes);
  EXPECT_EQ(dciodvfyErrors(temp / "seg.dcm"), std::vector<std::string>{});

  auto file = dicom::openDicomFile(temp / "seg.dcm");
  DcmDataset& seg = *file->getDataset();
  EXPECT_EQ(dicom::stringAttribute(seg, DCM_PatientID), source.series.patientId);
  EXPECT_EQ(dicom::stringAttribute(seg, DCM_StudyInstanceUID), source.series.studyInstanceUid);
  EXPECT_EQ(dicom::stringAttribute(seg, DCM_FrameOfReferenceUID),
            source.series.frameOfReferenceUid);
  EXPECT_NE(dicom::stringAttribute(seg, DCM_SeriesInstanceUID), source.series.seriesInstanceUid);
  DcmItem* shared = dicom::sequenceItem(seg, DCM_SharedFunctionalGroupsSequence);
  ASSERT_NE(shared, nullptr);
  DcmItem* orientation = dicom::sequenceItem(*shared, DCM_PlaneOrientationSequence);
  ASSERT_NE(orientation, nullptr);
  EXPECT_EQ(dicom::stringAttribute(*orientation, DCM_ImageOrientationPatient),
            source.attributes.imageOrientation);
  // Frame 1 is segment 1 on the first slice it occurs on (slice 1: (k + 1) % 3 != 0).
  DcmItem* frame = dicom::sequenceItem(seg, DCM_PerFrameFunctionalGroupsSequence);
  ASSERT_NE(frame, nullptr);
  DcmItem* position = dicom::sequenceItem(*frame, DCM_PlanePositionSequence);
  ASSERT_NE(position, nullptr);
  EXPECT_EQ(dicom::stringAttribute(*position, DCM_ImagePositionPatient),
            source.attributes.imagePositions[0]);
}

TEST(SegWriter, ReservedUidsAreKeptAcrossRuns)
{
  const auto source = sharedSegSource("dcmqi_seg/ct-3slice");
  const auto labels = syntheticLabels(source.series.image.geometry, 1);
  dicom::SegWriteOptions options;
  options.seriesInstanceUid = "1.2.826.0.1.3680043.10.1234.1";
  options.sopInstanceUid = "1.2.826.0.1.3680043.10.1234.2";
  for (int run = 0; run < 2; ++run)
  {
    auto seg = openBytes(
        dicom::writeSeg(labels, testSegments(1), source.series, source.attributes, options));
    DcmDataset& dataset = *seg->getDataset();
    EXPECT_EQ(dicom::stringAttribute(dataset, DCM_SeriesInstanceUID), options.seriesInstanceUid);
    EXPECT_EQ(dicom::stringAttribute(dataset, DCM_SOPInstanceUID), options.sopInstanceUid);
    EXPECT_EQ(dicom::sopInstanceUidOf(*seg), options.sopInstanceUid) << "file meta agrees";
  }
}

TEST(SegWriter, EveryRunIsANewSeriesWithAiProvenance)
{
  const auto source = sharedSegSource("dcmqi_seg/ct-3slice");
  const auto labels = syntheticLabels(source.series.image.geometry, 1);
  const auto segments = testSegments(1);
  auto first = openBytes(dicom::writeSeg(labels, segments, source.series, source.attributes));
  auto second = openBytes(dicom::writeSeg(labels, segments, source.series, source.attributes));
  DcmDataset& a = *first->getDataset();
  DcmDataset& b = *second->getDataset();
  for (const auto& tag : {DCM_SeriesInstanceUID, DCM_SOPInstanceUID})
    EXPECT_NE(dicom::stringAttribute(a, tag), dicom::stringAttribute(b, tag));
  EXPECT_EQ(dicom::stringAttribute(a, DCM_StudyInstanceUID), source.series.studyInstanceUid);

  DcmItem* segment = dicom::sequenceItem(a, DCM_SegmentSequence);
  ASSERT_NE(segment, nullptr);
  EXPECT_EQ(dicom::stringAttribute(*segment, DCM_SegmentAlgorithmType), "AUTOMATIC");
  DcmItem* algorithm =
      dicom::sequenceItem(*segment, DCM_SegmentationAlgorithmIdentificationSequence);
  ASSERT_NE(algorithm, nullptr);
  DcmItem* family = dicom::sequenceItem(*algorithm, DCM_AlgorithmFamilyCodeSequence);
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(dicom::stringAttribute(*family, DCM_CodeValue), "123110");

  DcmItem* equipment = dicom::sequenceItem(a, DCM_ContributingEquipmentSequence);
  ASSERT_NE(equipment, nullptr);
  EXPECT_EQ(dicom::stringAttribute(*equipment, DCM_ManufacturerModelName), "IrisTest");
  EXPECT_EQ(dicom::stringAttribute(*equipment, DCM_SoftwareVersions), "1.2.3");
  const std::string deviceUid = dicom::stringAttribute(*equipment, DCM_DeviceUID);
  EXPECT_EQ(deviceUid, dicom::stableDeviceUid("IrisTest", "1.2.3"));
  EXPECT_NE(deviceUid, dicom::stableDeviceUid("IrisTest", "1.2.4"));
  DcmItem* purpose = dicom::sequenceItem(*equipment, DCM_PurposeOfReferenceCodeSequence);
  ASSERT_NE(purpose, nullptr);
  EXPECT_EQ(dicom::stringAttribute(*purpose, DCM_CodeValue), "Newcode1");

  // ReferencedSeriesSequence lists exactly the source instances the frames derive from.
  DcmItem* referenced = dicom::sequenceItem(a, DCM_ReferencedSeriesSequence);
  ASSERT_NE(referenced, nullptr);
  EXPECT_EQ(dicom::stringAttribute(*referenced, DCM_SeriesInstanceUID),
            source.series.seriesInstanceUid);
  DcmSequenceOfItems* instances = nullptr;
  ASSERT_TRUE(referenced->findAndGetSequence(DCM_ReferencedInstanceSequence, instances).good());
  EXPECT_EQ(instances->card(), 2u); // the single segment is absent from every third slice
}
} // namespace
} // namespace iris::test
