// Bad input never crashes the series reader: each case raises its typed error with a message
// that names the file and the cause. The bad files are made here, from real fixtures.
#include "dicom/DicomError.h"
#include "dicom/DicomInput.h"
#include "dicom/SeriesReader.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/oflog/oflog.h>
#include <fstream>
#include <gtest/gtest.h>

namespace iris::dicom
{
namespace
{
const bool kQuietDcmtk = []
{
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  return true;
}();

std::filesystem::path ctSeries()
{
  return test::sharedDataDir() / "sts_sarcoma/dicom/STS_001/CT/image";
}

std::filesystem::path firstCtSlice()
{
  return listSeriesFiles(ctSeries()).front();
}

// Runs `read`, expecting Error whose message holds every one of `words`.
template <typename Error, typename Read>
void expectError(Read&& read, std::initializer_list<std::string> words)
{
  try
  {
    read();
    FAIL() << "no error was raised";
  }
  catch (const Error& error)
  {
    for (const auto& word : words)
    {
      EXPECT_NE(std::string(error.what()).find(word), std::string::npos)
          << "\"" << word << "\" missing from: " << error.what();
    }
  }
}

void saveDataset(DcmFileFormat& file, const std::filesystem::path& path)
{
  ASSERT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
}

// A minimal non-image object of the given class and modality.
void writeNonImage(const std::filesystem::path& path, const char* sopClass, const char* modality)
{
  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  char uid[100];
  dataset.putAndInsertString(DCM_SOPClassUID, sopClass);
  dataset.putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid));
  dataset.putAndInsertString(DCM_SeriesInstanceUID, dcmGenerateUniqueIdentifier(uid));
  dataset.putAndInsertString(DCM_Modality, modality);
  saveDataset(file, path);
}

TEST(SeriesBadInput, TruncatedFile)
{
  test::TempDir dir;
  const std::string bytes = readFileBytes(firstCtSlice());
  const auto path = dir / "truncated.dcm";
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size() * 6 / 10);
  expectError<DicomReadError>([&] { readSeriesFiles({path}); }, {"truncated.dcm", "truncated"});
}

TEST(SeriesBadInput, TruncatedBuffer)
{
  const std::string bytes = readFileBytes(firstCtSlice());
  const std::string_view half(bytes.data(), bytes.size() / 2);
  expectError<DicomReadError>(
      [&] {
        readSeriesBuffers({{"instance-42", half}});
      },
      {"instance-42", "truncated"});
}

TEST(SeriesBadInput, NotDicom)
{
  test::TempDir dir;
  const auto path = dir / "notes.txt";
  std::ofstream(path) << "Patient feels fine. This is not a DICOM file at all, just text.\n";
  expectError<DicomReadError>([&] { readSeriesFiles({path}); }, {"notes.txt", "not a DICOM file"});
}

TEST(SeriesBadInput, EmptyOrMissingFolder)
{
  test::TempDir dir;
  expectError<DicomReadError>([&] { readSeriesFolder(dir.path()); }, {"holds no files"});
  expectError<DicomReadError>([&] { readSeriesFolder(dir / "absent"); }, {"not a folder"});
}

TEST(SeriesBadInput, MissingPixelData)
{
  test::TempDir dir;
  auto file = openDicomFile(firstCtSlice());
  ASSERT_TRUE(file->getDataset()->findAndDeleteElement(DCM_PixelData).good());
  const auto path = dir / "no-pixels.dcm";
  saveDataset(*file, path);
  expectError<MissingPixelDataError>([&] { readSeriesFiles({path}); },
                                     {"no-pixels.dcm", "no Pixel Data"});
}

TEST(SeriesBadInput, ShortPixelData)
{
  test::TempDir dir;
  auto file = openDicomFile(firstCtSlice());
  const Uint16 few[4] = {1, 2, 3, 4};
  ASSERT_TRUE(file->getDataset()->putAndInsertUint16Array(DCM_PixelData, few, 4).good());
  const auto path = dir / "short-pixels.dcm";
  saveDataset(*file, path);
  expectError<MissingPixelDataError>([&] { readSeriesFiles({path}); },
                                     {"short-pixels.dcm", "8 bytes"});
}

TEST(SeriesBadInput, StructuredReport)
{
  test::TempDir dir;
  const auto path = dir / "report.dcm";
  writeNonImage(path, UID_BasicTextSRStorage, "SR");
  expectError<NotAnImageError>([&] { readSeriesFiles({path}); }, {"report.dcm", "not an image"});
}

TEST(SeriesBadInput, PresentationState)
{
  test::TempDir dir;
  const auto path = dir / "state.dcm";
  writeNonImage(path, UID_GrayscaleSoftcopyPresentationStateStorage, "PR");
  expectError<NotAnImageError>([&] { readSeriesFiles({path}); }, {"state.dcm", "Modality PR"});
}

TEST(SeriesBadInput, Segmentation)
{
  // A real third-party SEG: it has Rows, Columns and pixels, but is not an image series.
  const auto seg = test::sharedDataDir() / "dcmqi_seg/liver.dcm";
  expectError<NotAnImageError>([&] { readSeriesFiles({seg}); }, {"liver.dcm", "Segmentation"});
}

TEST(SeriesBadInput, SlicesOverTheCap)
{
  SeriesReadOptions options;
  options.cap.slices = 10;
  expectError<VolumeTooLargeError>([&] { readSeriesFolder(ctSeries(), options); },
                                   {"198x202x59", "cap of 2048x2048x10"});
}

TEST(SeriesBadInput, VoxelsOverTheCap)
{
  SeriesReadOptions options;
  options.cap.voxels = 198 * 202 * 58;
  expectError<VolumeTooLargeError>([&] { readSeriesFolder(ctSeries(), options); },
                                   {"2359764 voxels", "198x202x59", "cap of 2319768 voxels"});
  options.cap.voxels = 198 * 202 * 59;
  EXPECT_NO_THROW(readSeriesFolder(ctSeries(), options));
}

TEST(SeriesBadInput, HeaderClaimingHugeImage)
{
  test::TempDir dir;
  auto file = openDicomFile(firstCtSlice());
  ASSERT_TRUE(file->getDataset()->putAndInsertUint16(DCM_Rows, 60000).good());
  ASSERT_TRUE(file->getDataset()->putAndInsertUint16(DCM_Columns, 60000).good());
  const auto path = dir / "huge.dcm";
  saveDataset(*file, path);
  // Refused from the header, before any voxel memory is allocated.
  expectError<VolumeTooLargeError>([&] { readSeriesFiles({path}); },
                                   {"huge.dcm", "60000x60000x1", "2048x2048x4000"});
}

TEST(SeriesBadInput, TwoSeriesInOneFolder)
{
  const auto files = listSeriesFiles(ctSeries());
  const auto other = listSeriesFiles(test::sharedDataDir() / "dcmqi_seg/ct-3slice");
  expectError<InconsistentSeriesError>(
      [&] {
        readSeriesFiles({files[0], files[1], other[0]});
      },
      {"mixed series", "2 series"});
}
} // namespace
} // namespace iris::dicom

namespace iris::dicom
{
namespace
{
// Damaged copies of a real instance (truncated anywhere, header bytes overwritten) either load
// or raise a DicomError; nothing else escapes and nothing crashes.
TEST(SeriesBadInput, DamagedBytesOnlyRaiseDicomErrors)
{
  const auto path = listSeriesFiles(test::sharedDataDir() / "dcmqi_seg/ct-3slice").front();
  const std::string original = readFileBytes(path);
  std::vector<std::string> damaged;
  for (size_t length = 0; length < 2400; length += 37)
  {
    damaged.push_back(original.substr(0, length));
  }
  uint32_t state = 12345;
  const auto nextRandom = [&state] { return state = state * 1664525u + 1013904223u; };
  for (int mutation = 0; mutation < 300; ++mutation)
  {
    std::string copy = original;
    for (int byte = 0; byte < 4; ++byte)
    {
      copy[132 + nextRandom() % 1800] = static_cast<char>(nextRandom() >> 24);
    }
    damaged.push_back(copy);
  }
  size_t loaded = 0, refused = 0;
  for (const auto& bytes : damaged)
  {
    try
    {
      readSeriesBuffers({{"damaged", bytes}});
      ++loaded;
    }
    catch (const DicomError&)
    {
      ++refused;
    }
  }
  EXPECT_EQ(loaded + refused, damaged.size());
  EXPECT_GT(refused, 60u); // every truncated copy at least
}
} // namespace
} // namespace iris::dicom
