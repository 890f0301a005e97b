// PNG encoding (decoded independently here with zlib), the montage and label overlap, and the
// `iris dice` / `iris montage` commands on real hippocampus volumes.
#include "dicom/LabelOverlap.h"
#include "dicom/Montage.h"
#include "dicom/Nifti.h"
#include "dicom/Png.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"
#include "tools/CommandLine.h"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <zlib.h>

namespace iris::test
{
namespace
{
uint32_t bigEndian(const std::string& bytes, size_t at)
{
  uint32_t value = 0;
  for (size_t n = 0; n < 4; ++n)
    value = (value << 8) | static_cast<uint8_t>(bytes[at + n]);
  return value;
}

// A minimal PNG reader for what encodePng promises: checks every CRC and returns the pixels.
dicom::RgbImage decodePng(const std::string& png)
{
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  dicom::RgbImage image;
  std::string idat;
  for (size_t at = 8; at + 12 <= png.size();)
  {
    const uint32_t length = bigEndian(png, at);
    const std::string type = png.substr(at + 4, 4);
    const std::string data = png.substr(at + 8, length);
    const uint32_t crc = bigEndian(png, at + 8 + length);
    EXPECT_EQ(crc, crc32(0L, reinterpret_cast<const Bytef*>(png.data() + at + 4), 4 + length))
        << type;
    if (type == "IHDR")
    {
      image = dicom::RgbImage(bigEndian(data, 0), bigEndian(data, 4));
      EXPECT_EQ(data[8], 8);
      EXPECT_EQ(data[9], 2);
    }
    if (type == "IDAT")
      idat += data;
    at += 12 + length;
  }
  const size_t stride = image.width * 3;
  std::string raw((stride + 1) * image.height, '\0');
  uLongf rawSize = raw.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &rawSize,
                       reinterpret_cast<const Bytef*>(idat.data()), idat.size()),
            Z_OK);
  EXPECT_EQ(rawSize, raw.size());
  for (size_t y = 0; y < image.height; ++y)
  {
    EXPECT_EQ(raw[y * (stride + 1)], 0) << "filter of row " << y;
    std::copy_n(raw.begin() + static_cast<long>(y * (stride + 1) + 1), stride,
                image.rgb.begin() + static_cast<long>(y * stride));
  }
  return image;
}

int runIris(const std::vector<std::string>& args, std::string& out, std::string& err)
{
  std::ostringstream o, e;
  const int code = cli::runCommandLine(args, o, e);
  out = o.str();
  err = e.str();
  return code;
}

const std::filesystem::path hippocampus(const std::string& kind)
{
  return sharedDataDir() / "msd_hippocampus" / kind / "hippocampus_001.nii.gz";
}
} // namespace

TEST(Png, EncodesPixelsThatAnIndependentDecoderReadsBack)
{
  dicom::RgbImage image(7, 5); // odd sizes: no row padding to hide behind
  for (size_t n = 0; n < image.rgb.size(); ++n)
    image.rgb[n] = static_cast<uint8_t>(n * 37 % 251);
  const auto decoded = decodePng(dicom::encodePng(image));
  EXPECT_EQ(decoded.width, 7u);
  EXPECT_EQ(decoded.height, 5u);
  EXPECT_EQ(decoded.rgb, image.rgb);
  EXPECT_THROW(dicom::encodePng(dicom::RgbImage()), std::invalid_argument);
}

TEST(LabelOverlap, CountsEachLabelAndRefusesDifferentSizes)
{
  dicom::LabelVolume reference, predicted;
  reference.geometry.size = predicted.geometry.size = {4, 1, 1};
  reference.voxels = {1, 1, 2, 0};
  predicted.voxels = {1, 0, 2, 3};
  const auto overlaps = dicom::compareLabels(reference, predicted);
  ASSERT_EQ(overlaps.size(), 3u);
  EXPECT_DOUBLE_EQ(overlaps[0].dice(), 2.0 / 3.0); // label 1: |A|=2, |B|=1, both 1
  EXPECT_DOUBLE_EQ(overlaps[1].dice(), 1.0);
  EXPECT_DOUBLE_EQ(overlaps[2].dice(), 0.0); // label 3 only predicted
  // Merged: reference {0,1,2}, predicted {0,2,3}, both at 0 and 2.
  EXPECT_DOUBLE_EQ(dicom::compareForeground(reference, predicted).dice(), 2.0 / 3.0);
  predicted.geometry.size = {2, 2, 1};
  EXPECT_THROW(dicom::compareLabels(reference, predicted), std::invalid_argument);
}

TEST(Montage, PutsPatientLeftOnTheRightAndDrawsLabelsInTheirColour)
{
  dicom::ImageVolume image;
  image.geometry.size = {20, 10, 3};
  image.voxels.assign(image.geometry.voxelCount(), 0.0f);
  dicom::LabelVolume labels;
  labels.geometry = image.geometry;
  labels.voxels.assign(image.geometry.voxelCount(), 0);
  for (size_t j = 3; j < 7; ++j) // a label block at high i, which is patient left in LPS
    for (size_t i = 14; i < 19; ++i)
      labels.at(i, j, 1) = 1;
  dicom::MontageOptions options;
  options.colours[1] = {0, 255, 0};
  options.minimumTileWidth = 20;
  const auto montage = dicom::renderMontage(image, &labels, options);
  ASSERT_EQ(montage.width, 20u);
  ASSERT_EQ(montage.height, 10u);
  const auto* inside = &montage.rgb[(5 * 20 + 16) * 3];
  EXPECT_GT(inside[1], 50); // green blended into black
  EXPECT_EQ(inside[0], 0);
  const auto* mirrored = &montage.rgb[(5 * 20 + 3) * 3];
  EXPECT_EQ(mirrored[1], 0);

  image.geometry.axes[0] = {-1.0, 0.0, 0.0}; // i now runs to patient right: the block flips
  const auto flipped = dicom::renderMontage(image, &labels, options);
  EXPECT_GT(flipped.rgb[(5 * 20 + 3) * 3 + 1], 50);
}

TEST(ReviewCommands, DiceOfALabelWithItselfIsOneAndMontageWritesAPng)
{
  TempDir temp;
  std::string out, err;
  ASSERT_EQ(runIris({"dice", hippocampus("labels").string(), hippocampus("labels").string(),
                     "--json", (temp / "dice.json").string()},
                    out, err),
            0)
      << err;
  EXPECT_NE(out.find("label 1: Dice 1.0000"), std::string::npos) << out;
  EXPECT_NE(out.find("label 2: Dice 1.0000"), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(temp / "dice.json"));

  // Another subject's labels on a grid of another size are refused with both sizes named.
  const auto other = sharedDataDir() / "msd_hippocampus/labels/hippocampus_003.nii.gz";
  EXPECT_NE(runIris({"dice", hippocampus("labels").string(), other.string()}, out, err), 0);

  ASSERT_EQ(runIris({"montage", hippocampus("images").string(), hippocampus("labels").string(),
                     (temp / "montage.png").string(), "--slices", "6", "--columns", "3"},
                    out, err),
            0)
      << err;
  std::ifstream file(temp / "montage.png", std::ios::binary);
  const std::string png((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto decoded = decodePng(png);
  EXPECT_GE(decoded.width, 3 * 192u);
  EXPECT_EQ(decoded.height % 2, 0u); // two rows of equal tiles
}
} // namespace iris::test
