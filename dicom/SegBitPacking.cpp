#include "dicom/SegBitPacking.h"

namespace iris::dicom
{
BinaryFramePacker::BinaryFramePacker(size_t pixelsPerFrame, size_t expectedFrames)
    : pixelsPerFrame_(pixelsPerFrame)
{
  packed_.reserve(packedBinaryByteCount(pixelsPerFrame, expectedFrames) + 1);
}

void BinaryFramePacker::appendFrame(const uint8_t* pixels)
{
  packed_.resize(packedBinaryByteCount(pixelsPerFrame_, frames_ + 1), 0);
  size_t bit = bitCount_;
  size_t pixel = 0;
  // Pixels up to the next byte boundary one at a time, then whole bytes of 8 pixels.
  for (; pixel < pixelsPerFrame_ && (bit & 7) != 0; ++pixel, ++bit)
  {
    if (pixels[pixel] != 0)
    {
      packed_[bit >> 3] |= static_cast<uint8_t>(1u << (bit & 7));
    }
  }
  uint8_t* out = packed_.data() + (bit >> 3);
  for (; pixel + 8 <= pixelsPerFrame_; pixel += 8, bit += 8)
  {
    const uint8_t* in = pixels + pixel;
    *out++ = static_cast<uint8_t>((in[0] != 0) | (in[1] != 0) << 1 | (in[2] != 0) << 2 |
                                  (in[3] != 0) << 3 | (in[4] != 0) << 4 | (in[5] != 0) << 5 |
                                  (in[6] != 0) << 6 | (in[7] != 0) << 7);
  }
  for (; pixel < pixelsPerFrame_; ++pixel, ++bit)
  {
    if (pixels[pixel] != 0)
    {
      packed_[bit >> 3] |= static_cast<uint8_t>(1u << (bit & 7));
    }
  }
  bitCount_ = bit;
  ++frames_;
}

std::vector<uint8_t> BinaryFramePacker::finish()
{
  if (packed_.size() % 2 != 0)
  {
    packed_.push_back(0);
  }
  frames_ = 0;
  bitCount_ = 0;
  std::vector<uint8_t> result;
  result.swap(packed_);
  return result;
}

size_t packedBinaryByteCount(size_t pixelsPerFrame, size_t frames)
{
  return (pixelsPerFrame * frames + 7) / 8;
}

void unpackBinaryFrame(const uint8_t* packed, size_t pixelsPerFrame, size_t frameIndex,
                       uint8_t* pixels)
{
  size_t bit = pixelsPerFrame * frameIndex;
  for (size_t pixel = 0; pixel < pixelsPerFrame; ++pixel, ++bit)
  {
    pixels[pixel] = static_cast<uint8_t>((packed[bit >> 3] >> (bit & 7)) & 1u);
  }
}
} // namespace iris::dicom
