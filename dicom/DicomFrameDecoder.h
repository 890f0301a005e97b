#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iris::dicom
{
// How an instance stores its pixels (Image Pixel module).
struct PixelLayout
{
  unsigned rows = 0;
  unsigned columns = 0;
  unsigned frames = 1;
  unsigned samplesPerPixel = 1;
  unsigned bitsAllocated = 0;
  unsigned bitsStored = 0;
  bool isSigned = false; // PixelRepresentation 1
  std::string photometricInterpretation;
  std::string transferSyntaxUid;

  size_t pixelsPerFrame() const { return static_cast<size_t>(rows) * columns; }
};

// Decodes frames of transfer syntaxes DCMTK cannot decode (JPEG 2000, HTJ2K, ...). The library
// stays free of such codecs; a front end that has one (the Orthanc plugin, through
// OrthancPluginDecodeDicomImage) passes an implementation to the series reader.
class FrameDecoder
{
public:
  virtual ~FrameDecoder() = default;

  // Whether frames of this transfer syntax can be decoded at all.
  virtual bool supports(const std::string& transferSyntaxUid) const = 0;

  // The stored values (before rescale, as integers in float) of frame `frameIndex` (0-based)
  // of the instance `instanceBytes` (its whole Part 10 file): layout.pixelsPerFrame() values,
  // row by row. Throws (any std::exception) when the frame cannot be decoded.
  virtual std::vector<float> decodeFrame(std::string_view instanceBytes, unsigned frameIndex,
                                         const PixelLayout& layout) const = 0;
};
} // namespace iris::dicom
