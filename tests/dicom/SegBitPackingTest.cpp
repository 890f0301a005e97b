#include "dicom/SegBitPacking.h"

#include <gtest/gtest.h>
#include <random>

namespace iris::dicom
{
namespace
{
// Frames of rows x columns pixels (odd sizes: frames start mid-byte) packed, then checked bit by
// bit against PS3.5 8.1.1: stream pixel n is bit n % 8 of byte n / 8.
void expectContinuousStream(size_t rows, size_t columns, size_t frames)
{
  const size_t pixels = rows * columns;
  std::mt19937 random(static_cast<unsigned>(rows * 1000 + columns));
  std::vector<std::vector<uint8_t>> input(frames, std::vector<uint8_t>(pixels));
  BinaryFramePacker packer(pixels);
  for (auto& frame : input)
  {
    for (auto& pixel : frame)
      pixel = static_cast<uint8_t>(random() % 3 == 0 ? random() % 255 + 1 : 0);
    packer.appendFrame(frame.data());
  }
  const auto packed = packer.finish();
  const size_t bytes = (pixels * frames + 7) / 8;
  EXPECT_EQ(packed.size(), bytes + bytes % 2);
  for (size_t n = bytes; n < packed.size(); ++n)
    EXPECT_EQ(packed[n], 0) << "padding";
  std::vector<uint8_t> unpacked(pixels);
  for (size_t f = 0; f < frames; ++f)
  {
    unpackBinaryFrame(packed.data(), pixels, f, unpacked.data());
    for (size_t p = 0; p < pixels; ++p)
    {
      const size_t n = f * pixels + p;
      const bool bit = (packed[n / 8] >> (n % 8)) & 1u;
      ASSERT_EQ(bit, input[f][p] != 0) << "frame " << f << " pixel " << p;
      ASSERT_EQ(unpacked[p], input[f][p] != 0 ? 1 : 0);
    }
  }
  // Bits past the last frame stay zero.
  for (size_t n = pixels * frames; n < packed.size() * 8; ++n)
    EXPECT_EQ((packed[n / 8] >> (n % 8)) & 1u, 0u);
}

TEST(SegBitPacking, FiveByThreeFramesShareBytes)
{
  expectContinuousStream(5, 3, 7);
}
TEST(SegBitPacking, SeventeenByFifteenFrames)
{
  expectContinuousStream(17, 15, 9);
}
TEST(SegBitPacking, ByteAlignedFrames)
{
  expectContinuousStream(8, 8, 3);
}
TEST(SegBitPacking, SingleOddFramePadsToEvenLength)
{
  expectContinuousStream(3, 3, 1);
}
} // namespace
} // namespace iris::dicom
