// Pixel and attribute handling the shared fixtures do not cover: MONOCHROME1, BitsStored below
// BitsAllocated with junk high bits, UIDs only in the file meta, and memory input.
#include "dicom/DicomInput.h"
#include "dicom/SeriesReader.h"
#include "dicom/SeriesWriter.h"
#include "tests/support/TempDir.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/oflog/oflog.h>
#include <functional>
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

ImageVolume ramp(float low, float high)
{
  ImageVolume image;
  image.geometry.size = {9, 6, 4};
  image.geometry.spacing = {1.0, 1.5, 3.0};
  image.voxels.resize(image.geometry.voxelCount());
  for (size_t index = 0; index < image.voxels.size(); ++index)
  {
    image.voxels[index] = low + static_cast<float>(index % static_cast<size_t>(high - low + 1));
  }
  return image;
}

// Writes `image` as a series, then lets `edit` change every file's dataset.
std::vector<std::filesystem::path> writeEdited(const ImageVolume& image,
                                               const std::filesystem::path& folder,
                                               const std::string& modality,
                                               const std::function<void(DcmDataset&)>& edit,
                                               E_FileWriteMode mode = EWM_fileformat)
{
  SeriesWriteOptions options;
  options.modality = modality;
  const auto files = writeSeries(image, folder, options);
  for (const auto& path : files)
  {
    auto file = openDicomFile(path);
    file->loadAllDataIntoMemory();
    edit(*file->getDataset());
    EXPECT_TRUE(file->saveFile(path.c_str(), EXS_LittleEndianExplicit, EET_UndefinedLength,
                               EGL_recalcGL, EPD_noChange, 0, 0, mode)
                    .good());
  }
  return files;
}

TEST(SeriesPixels, Monochrome1IsMirroredWithinTheStoredRange)
{
  test::TempDir dir;
  const ImageVolume image = ramp(0, 4000); // written unsigned, no rescale (MR)
  writeEdited(image, dir.path(), "MR",
              [](DcmDataset& dataset)
              {
                dataset.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME1");
                dataset.putAndInsertUint16(DCM_PixelRepresentation, 0);
                dataset.putAndInsertUint16(DCM_BitsStored, 12);
                dataset.putAndInsertUint16(DCM_HighBit, 11);
              });
  const SeriesVolume read = readSeriesFolder(dir.path());
  ASSERT_EQ(read.image.voxels.size(), image.voxels.size());
  for (size_t index = 0; index < image.voxels.size(); index += 7)
  {
    EXPECT_EQ(read.image.voxels[index], 4095.0f - image.voxels[index]) << index;
  }
}

TEST(SeriesPixels, SignedTwelveBitsIgnoreJunkHighBits)
{
  test::TempDir dir;
  const ImageVolume image = ramp(-2048, 2047); // CT: int16 with slope 1, intercept 0
  writeEdited(image, dir.path(), "CT",
              [](DcmDataset& dataset)
              {
                dataset.putAndInsertUint16(DCM_BitsStored, 12);
                dataset.putAndInsertUint16(DCM_HighBit, 11);
                const Uint16* words = nullptr;
                unsigned long count = 0;
                ASSERT_TRUE(dataset.findAndGetUint16Array(DCM_PixelData, words, &count).good());
                std::vector<Uint16> junk(words, words + count);
                for (Uint16& word : junk)
                {
                  word =
                      static_cast<Uint16>((word & 0x0FFF) | 0xA000); // overlay-style bits above 12
                }
                dataset.putAndInsertUint16Array(DCM_PixelData, junk.data(), count);
              });
  const SeriesVolume read = readSeriesFolder(dir.path());
  EXPECT_EQ(read.image.voxels, image.voxels);
}

TEST(SeriesPixels, UidsMissingFromTheDatasetComeFromTheFileMeta)
{
  test::TempDir dir;
  std::vector<std::string> metaUids;
  const auto files = writeEdited(
      ramp(0, 100), dir.path(), "CT",
      [](DcmDataset& dataset)
      {
        dataset.putAndInsertString(DCM_SOPInstanceUID, "");
        dataset.putAndInsertString(DCM_SOPClassUID, "");
      },
      EWM_dontUpdateMeta);
  for (const auto& path : files)
  {
    auto file = openDicomFile(path);
    metaUids.push_back(sopInstanceUidOf(*file));
    ASSERT_FALSE(metaUids.back().empty());
  }
  const SeriesVolume read = readSeriesFolder(dir.path());
  for (size_t k = 0; k < read.slices.size(); ++k)
  {
    EXPECT_EQ(read.slices[k].sopInstanceUid, metaUids[k]);
    EXPECT_EQ(read.slices[k].sopClassUid, "1.2.840.10008.5.1.4.1.1.2");
  }
}

TEST(SeriesPixels, MemoryBuffersGiveTheSameVolumeAsFiles)
{
  test::TempDir dir;
  const auto files = writeSeries(ramp(-100, 900), dir.path());
  std::vector<std::string> contents;
  std::vector<DicomBuffer> buffers;
  for (auto it = files.rbegin(); it != files.rend(); ++it) // order must not matter
  {
    contents.push_back(readFileBytes(*it));
  }
  for (size_t n = 0; n < contents.size(); ++n)
  {
    buffers.push_back({"buffer " + std::to_string(n), contents[n]});
  }
  const SeriesVolume fromFiles = readSeriesFiles(files);
  const SeriesVolume fromMemory = readSeriesBuffers(buffers);
  EXPECT_EQ(fromMemory.image.voxels, fromFiles.image.voxels);
  EXPECT_TRUE(fromMemory.image.geometry.sameGrid(fromFiles.image.geometry, 1e-9));
  EXPECT_EQ(fromMemory.slices.front().sopInstanceUid, fromFiles.slices.front().sopInstanceUid);
}
} // namespace
} // namespace iris::dicom
