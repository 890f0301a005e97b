#pragma once

#include "dicom/DicomFrameDecoder.h"

namespace iris::plugin
{
// Frames DCMTK cannot decode (JPEG 2000 and the like) decoded by Orthanc itself, through
// OrthancPluginDecodeDicomImage: Orthanc's core codecs plus any decoder plugin installed
// (Debian's orthanc-gdcm brings JPEG 2000).
class OrthancFrameDecoder : public dicom::FrameDecoder
{
public:
  bool supports(const std::string& transferSyntaxUid) const override;
  std::vector<float> decodeFrame(std::string_view instanceBytes, unsigned frameIndex,
                                 const dicom::PixelLayout& layout) const override;
};
} // namespace iris::plugin
