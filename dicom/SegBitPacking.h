#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace iris::dicom
{
// BINARY SEG pixel data as PS3.5 8.1.1 defines it for BitsAllocated 1: one bit stream over all
// frames in frame order, pixel n of the stream in byte n/8 at bit n%8 (LSB first), no padding
// between frames, the whole zero-padded to an even length. DCMTK 3.6.7 gets this wrong when
// rows x columns is not a multiple of 8 (DCMTK #1132), so SEGs are packed and read here.
class BinaryFramePacker
{
public:
  explicit BinaryFramePacker(size_t pixelsPerFrame, size_t expectedFrames = 0);

  // Appends one frame: `pixelsPerFrame` bytes, 0 is off and anything else is on.
  void appendFrame(const uint8_t* pixels);

  size_t frameCount() const { return frames_; }
  // The packed stream, padded to an even byte count; the packer is left empty.
  std::vector<uint8_t> finish();

private:
  size_t pixelsPerFrame_;
  size_t frames_ = 0;
  size_t bitCount_ = 0;
  std::vector<uint8_t> packed_;
};

// Bytes a BINARY SEG's PixelData must hold for `frames` frames, before even-length padding.
size_t packedBinaryByteCount(size_t pixelsPerFrame, size_t frames);

// Frame `frameIndex` (0-based) of a packed stream, one byte per pixel (0 or 1).
void unpackBinaryFrame(const uint8_t* packed, size_t pixelsPerFrame, size_t frameIndex,
                       uint8_t* pixels);
} // namespace iris::dicom
