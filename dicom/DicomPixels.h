#pragma once

#include "dicom/DicomFrameDecoder.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace iris::dicom
{
// The Image Pixel module of `file`. Throws NotAnImageError when it has none,
// UnsupportedTransferSyntaxError when neither DCMTK nor `decoder` can decode its pixel data,
// UnsupportedPixelFormatError for colour or unusual bit depths.
PixelLayout readPixelLayout(DcmFileFormat& file, const std::string& name,
                            const FrameDecoder* decoder = nullptr);

// Provides an instance's whole file when a FrameDecoder needs it (read lazily: DCMTK-decodable
// instances never need it).
using InstanceBytesProvider = std::function<std::string_view()>;

// Where frame `frame` (0-based) of an instance goes: room for layout.pixelsPerFrame() floats.
using FrameDestination = std::function<float*(unsigned frame)>;

// Writes each frame's stored values (sign-extended from BitsStored, no rescale) to
// destination(frame). Decompresses with DCMTK when it can, else with `decoder`; without one, a
// syntax DCMTK cannot decode raises UnsupportedTransferSyntaxError naming it. Short or absent
// pixel data raises MissingPixelDataError.
void decodeStoredFrames(DcmFileFormat& file, const PixelLayout& layout, const std::string& name,
                        const FrameDecoder* decoder, const InstanceBytesProvider& instanceBytes,
                        const FrameDestination& destination);

// The same, as one vector: frame after frame.
// Stored pixel values (sign-extended from BitsStored, no rescale) of every frame, frame after
// frame. Decompresses with DCMTK when it can, else with `decoder`; without one, a syntax DCMTK
// cannot decode raises UnsupportedTransferSyntaxError naming it. Short or absent pixel data
// raises MissingPixelDataError.
std::vector<float> decodeStoredValues(DcmFileFormat& file, const PixelLayout& layout,
                                      const std::string& name, const FrameDecoder* decoder,
                                      const InstanceBytesProvider& instanceBytes);
} // namespace iris::dicom
