// NIfTI -> DICOM series -> volume round trips (library and `iris` CLI), dciodvfy conformance of
// what we write, and the FrameDecoder extension point.
#include "dicom/DicomError.h"
#include "dicom/DicomInput.h"
#include "dicom/DicomPixels.h"
#include "dicom/Nifti.h"
#include "dicom/SeriesReader.h"
#include "dicom/SeriesWriter.h"
#include "tests/dicom/VolumeComparison.h"
#include "tests/support/Process.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <atomic>
#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/oflog/oflog.h>
#include <gtest/gtest.h>
#include <map>
#include <sstream>

namespace iris::dicom
{
namespace
{
const bool kQuietDcmtk = []
{
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  return true;
}();

ImageVolume syntheticVolume(float low, float high, float step)
{
  ImageVolume image;
  image.geometry.size = {37, 23, 7}; // odd sizes on purpose
  image.geometry.spacing = {0.7, 0.9, 2.5};
  image.geometry.origin = {-101.25, 37.5, -12.125};
  const double c = std::cos(0.3), s = std::sin(0.3);
  // Oblique, and k against the normal of i x j: the reader must sort and flip.
  image.geometry.axes = {Vec3{c, 0.0, s}, Vec3{0.0, 1.0, 0.0}, Vec3{s, 0.0, -c}};
  image.voxels.resize(image.geometry.voxelCount());
  float value = low;
  for (float& voxel : image.voxels)
  {
    voxel = value;
    value = value + step > high ? low : value + step;
  }
  return image;
}

// dciodvfy's "Error" lines for one file (it also prints warnings, which are allowed).
std::string dciodvfyErrors(const std::filesystem::path& file)
{
  const auto result = test::runProcess({IRIS_DCIODVFY_EXECUTABLE, file.string()});
  std::istringstream lines(result.output);
  std::string line, errors;
  while (std::getline(lines, line))
  {
    if (line.rfind("Error", 0) == 0)
    {
      errors += line + "\n";
    }
  }
  return errors;
}

class SeriesWriterRoundTrip : public ::testing::TestWithParam<std::string>
{
};

TEST_P(SeriesWriterRoundTrip, IntegerValuesComeBackExactlyOnTheSameGrid)
{
  test::TempDir dir;
  const bool ct = GetParam() == "CT";
  const ImageVolume image = ct ? syntheticVolume(-1024, 3071, 7) : syntheticVolume(0, 4000, 3);
  SeriesWriteOptions options;
  options.modality = GetParam();
  const auto files = writeSeries(image, dir / "series", options);
  ASSERT_EQ(files.size(), 7u);
  EXPECT_EQ(dciodvfyErrors(files.front()), "");
  const SeriesVolume read = readSeriesFolder(dir / "series");
  EXPECT_EQ(read.modality, GetParam());
  EXPECT_FALSE(read.frameOfReferenceUid.empty());
  test::expectSameWorldVolume(read.image, image, 1e-3, 0.0f);
}

INSTANTIATE_TEST_SUITE_P(Modalities, SeriesWriterRoundTrip, ::testing::Values("CT", "MR"));

TEST(SeriesWriter, FractionalValuesAreRescaledWithinHalfAStep)
{
  test::TempDir dir;
  const ImageVolume image = syntheticVolume(-0.5f, 0.75f, 0.001f);
  writeSeries(image, dir / "series");
  const SeriesVolume read = readSeriesFolder(dir / "series");
  const float step = 1.25f / 65534.0f;
  test::expectSameWorldVolume(read.image, image, 1e-3, step);
}

TEST(SeriesWriter, EveryCallMakesNewUids)
{
  test::TempDir dir;
  const ImageVolume image = syntheticVolume(0, 100, 1);
  writeSeries(image, dir / "a");
  writeSeries(image, dir / "b");
  const SeriesVolume a = readSeriesFolder(dir / "a");
  const SeriesVolume b = readSeriesFolder(dir / "b");
  EXPECT_NE(a.seriesInstanceUid, b.seriesInstanceUid);
  EXPECT_NE(a.studyInstanceUid, b.studyInstanceUid);
  EXPECT_NE(a.slices.front().sopInstanceUid, b.slices.front().sopInstanceUid);
}

TEST(SeriesWriter, RefusesShearedGridsAndUnknownModalities)
{
  test::TempDir dir;
  ImageVolume sheared = syntheticVolume(0, 10, 1);
  sheared.geometry.axes[2] = {0.0, 0.6, 0.8};
  EXPECT_THROW(writeSeries(sheared, dir / "sheared"), std::invalid_argument);
  SeriesWriteOptions options;
  options.modality = "US";
  EXPECT_THROW(writeSeries(syntheticVolume(0, 10, 1), dir / "us", options), std::invalid_argument);
}

TEST(IrisSeriesCommands, Nifti2DicomThenDicom2NiftiRoundTrips)
{
  test::TempDir dir;
  const auto source = test::sharedDataDir() / "msd_hippocampus/images/hippocampus_001.nii.gz";
  auto toDicom = test::runProcess({IRIS_CLI_PATH, "nifti2dicom", source.string(),
                                   (dir / "dicom").string(), "--modality", "MR"});
  ASSERT_EQ(toDicom.exitCode, 0) << toDicom.output;
  EXPECT_EQ(dciodvfyErrors(dir / "dicom" / "IM00001.dcm"), "");
  auto toNifti = test::runProcess(
      {IRIS_CLI_PATH, "dicom2nifti", (dir / "dicom").string(), (dir / "back.nii.gz").string()});
  ASSERT_EQ(toNifti.exitCode, 0) << toNifti.output;
  EXPECT_NE(toNifti.output.find("35x51x35"), std::string::npos) << toNifti.output;
  test::expectSameWorldVolume(readNiftiImage(dir / "back.nii.gz"), readNiftiImage(source), 1e-3,
                              0.0f);
}

TEST(IrisSeriesCommands, FailuresExitNonZeroWithTheCause)
{
  test::TempDir dir;
  const auto j2k = test::sharedDataDir() / "dicom2nifti/generic/compressed_j2k/001";
  const auto failed =
      test::runProcess({IRIS_CLI_PATH, "dicom2nifti", j2k.string(), (dir / "x.nii.gz").string()});
  EXPECT_EQ(failed.exitCode, 1);
  EXPECT_NE(failed.output.find("unsupported transfer syntax 1.2.840.10008.1.2.4.90"),
            std::string::npos)
      << failed.output;
  const auto tilted = test::sharedDataDir() / "dicom2nifti/failing/gantrytilting/001";
  const auto refused = test::runProcess(
      {IRIS_CLI_PATH, "dicom2nifti", tilted.string(), (dir / "y.nii.gz").string()});
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.output.find("gantry tilt"), std::string::npos) << refused.output;
  EXPECT_EQ(
      test::runProcess({IRIS_CLI_PATH, "nifti2dicom", "a.nii", "out", "--modality", "XA"}).exitCode,
      2);
}

// Stands in for Orthanc's decoder (no JPEG 2000 codec runs here): it decodes a JPEG 2000
// instance by decoding its RLE-compressed twin, the same SOP instance in another syntax.
class TwinFrameDecoder : public FrameDecoder
{
public:
  explicit TwinFrameDecoder(const std::filesystem::path& twinFolder)
  {
    for (const auto& path : listSeriesFiles(twinFolder))
    {
      twins_[sopInstanceUidOf(*openDicomFile(path))] = path;
    }
  }

  bool supports(const std::string& syntax) const override
  {
    return syntax == "1.2.840.10008.1.2.4.90";
  }

  std::vector<float> decodeFrame(std::string_view instanceBytes, unsigned frameIndex,
                                 const PixelLayout& layout) const override
  {
    ++calls;
    const auto instance = openDicomBytes(instanceBytes, "instance");
    auto twin = openDicomFile(twins_.at(sopInstanceUidOf(*instance)));
    const PixelLayout twinLayout = readPixelLayout(*twin, "twin");
    const auto values = decodeStoredValues(*twin, twinLayout, "twin", nullptr, {});
    const auto begin = values.begin() + frameIndex * layout.pixelsPerFrame();
    return {begin, begin + layout.pixelsPerFrame()};
  }

  mutable std::atomic<int> calls{0}; // the reader may decode instances in parallel

private:
  std::map<std::string, std::filesystem::path> twins_;
};

TEST(FrameDecoderExtension, DecodesWhatDcmtkCannotFromMemory)
{
  const auto data = test::sharedDataDir() / "dicom2nifti/generic";
  const TwinFrameDecoder decoder(data / "compressed_rle/001");
  std::vector<std::string> contents;
  for (const auto& path : listSeriesFiles(data / "compressed_j2k/001"))
  {
    contents.push_back(readFileBytes(path));
  }
  std::vector<DicomBuffer> buffers;
  for (size_t index = 0; index < contents.size(); ++index)
  {
    buffers.push_back({"j2k-" + std::to_string(index), contents[index]});
  }
  EXPECT_THROW(readSeriesBuffers(buffers), UnsupportedTransferSyntaxError);
  SeriesReadOptions options;
  options.frameDecoder = &decoder;
  const SeriesVolume series = readSeriesBuffers(buffers, options);
  EXPECT_EQ(decoder.calls, 4);
  test::expectSameWorldVolume(
      series.image, readNiftiImage(data / "compressed_j2k/001_ground_truth.nii.gz"), 1e-3, 0.0f);
}
} // namespace
} // namespace iris::dicom
