#include "dicom/SegErrors.h"
#include "dicom/SegReader.h"
#include "dicom/SegWriter.h"
#include "tests/dicom/SegTestSupport.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <fstream>
#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
// Runs `action`, expecting exception type E whose message contains `fragment`.
template <typename E, typename F> void expectError(F action, const std::string& fragment)
{
  try
  {
    action();
    ADD_FAILURE() << "no exception; expected one mentioning \"" << fragment << "\"";
  }
  catch (const E& error)
  {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

class SegBadInput : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    source_ = new dicom::SegSource(sharedSegSource("dcmqi_seg/ct-3slice"));
  }
  static void TearDownTestSuite()
  {
    delete source_;
    source_ = nullptr;
  }
  static std::vector<uint8_t> validSeg()
  {
    return dicom::writeSeg(syntheticLabels(source_->series.image.geometry, 2), testSegments(2),
                           source_->series, source_->attributes);
  }
  static dicom::SegSource* source_;
};
dicom::SegSource* SegBadInput::source_ = nullptr;

TEST_F(SegBadInput, ImageInsteadOfSegIsNotASeg)
{
  expectError<dicom::NotASegError>(
      [] { dicom::readSeg(sharedDataDir() / "dcmqi_seg/ct-3slice/01.dcm", source_->series); },
      "not a Segmentation Storage object");
}

TEST_F(SegBadInput, TextFileIsNotDicom)
{
  TempDir temp;
  std::ofstream(temp / "notes.txt") << "this is not DICOM\n";
  expectError<dicom::DicomReadError>([&] { dicom::readSeg(temp / "notes.txt", source_->series); },
                                     "not a DICOM file");
}

TEST_F(SegBadInput, SegCutInsideItsPixelDataIsTruncated)
{
  auto bytes = validSeg();
  bytes.resize(bytes.size() - 1000);
  expectError<dicom::DicomError>([&] { dicom::readSegBuffer(bytes, source_->series); },
                                 "truncated");
}

TEST_F(SegBadInput, SegCutInItsHeaderIsTruncated)
{
  auto bytes = validSeg();
  bytes.resize(700); // inside the meta header and the first attributes
  expectError<dicom::DicomError>([&] { dicom::readSegBuffer(bytes, source_->series); },
                                 "truncated");
}

TEST_F(SegBadInput, SegReferencingMissingInstancesIsRefused)
{
  const auto bytes = validSeg();
  dicom::SeriesVolume other = source_->series;
  const std::string missing = other.slices[1].sopInstanceUid;
  other.slices[1].sopInstanceUid = "1.2.3.4.5";
  expectError<dicom::SegReferenceError>([&] { dicom::readSegBuffer(bytes, other); }, missing);
}

TEST_F(SegBadInput, SegOnAnotherGridIsRefused)
{
  const auto other = sharedSegSource("dicom2nifti/hitachi/anatomical/001");
  expectError<dicom::SegReferenceError>(
      [&] { dicom::readSeg(sharedDataDir() / "dcmqi_seg/liver.dcm", other.series); },
      "64x64 slices");
}

TEST_F(SegBadInput, SegInAnotherFrameOfReferenceIsRefused)
{
  const auto bytes = validSeg();
  dicom::SeriesVolume other = source_->series;
  other.frameOfReferenceUid = "1.2.3.4.6";
  expectError<dicom::SegReferenceError>([&] { dicom::readSegBuffer(bytes, other); },
                                        "frame of reference");
}

TEST_F(SegBadInput, LabelVolumeOffTheSourceGridIsRefused)
{
  auto geometry = source_->series.image.geometry;
  geometry.size[2] -= 1;
  const auto labels = syntheticLabels(geometry, 2);
  expectError<dicom::SegInputError>(
      [&] { dicom::writeSeg(labels, testSegments(2), source_->series, source_->attributes); },
      "not on the grid of source series");
}

TEST_F(SegBadInput, LabelVolumeShiftedFromTheSourceGridIsRefused)
{
  auto geometry = source_->series.image.geometry;
  geometry.origin[0] += 0.5;
  const auto labels = syntheticLabels(geometry, 2);
  expectError<dicom::SegInputError>(
      [&] { dicom::writeSeg(labels, testSegments(2), source_->series, source_->attributes); },
      "resample it onto the source grid");
}

TEST_F(SegBadInput, LabelValueWithoutSegmentIsRefused)
{
  const auto labels = syntheticLabels(source_->series.image.geometry, 3);
  expectError<dicom::SegInputError>(
      [&] { dicom::writeSeg(labels, testSegments(2), source_->series, source_->attributes); },
      "label value 3");
}

TEST_F(SegBadInput, DuplicateOrBackgroundLabelValuesAreRefused)
{
  const auto labels = syntheticLabels(source_->series.image.geometry, 1);
  auto segments = testSegments(2);
  segments[1].labelValue = 1;
  expectError<dicom::SegInputError>(
      [&] { dicom::writeSeg(labels, segments, source_->series, source_->attributes); },
      "already used");
  segments[1].labelValue = 0;
  expectError<dicom::SegInputError>(
      [&] { dicom::writeSeg(labels, segments, source_->series, source_->attributes); },
      "background");
}

TEST_F(SegBadInput, IncompleteSegmentDescriptionIsRefused)
{
  const auto labels = syntheticLabels(source_->series.image.geometry, 1);
  auto segments = testSegments(1);
  segments[0].type.value.clear();
  expectError<dicom::SegInputError>(
      [&] { dicom::writeSeg(labels, segments, source_->series, source_->attributes); },
      "incomplete type code");
  segments = testSegments(1);
  segments[0].algorithmName.clear();
  expectError<dicom::SegInputError>(
      [&] { dicom::writeSeg(labels, segments, source_->series, source_->attributes); },
      "algorithm name");
}
} // namespace
} // namespace iris::test
