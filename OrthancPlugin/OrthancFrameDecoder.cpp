#include "OrthancPlugin/OrthancFrameDecoder.h"

#include "OrthancPlugin/OrthancContext.h"
#include "dicom/DicomError.h"

#include <cstring>
#include <memory>
#include <orthanc/OrthancCPlugin.h>

namespace iris::plugin
{
namespace
{
struct ImageDeleter
{
  void operator()(OrthancPluginImage* image) const { OrthancPluginFreeImage(context(), image); }
};
using Image = std::unique_ptr<OrthancPluginImage, ImageDeleter>;

template <typename Pixel>
void copyRows(const uint8_t* buffer, uint32_t pitch, uint32_t width, uint32_t height,
              std::vector<float>& out)
{
  for (uint32_t y = 0; y < height; ++y)
  {
    const uint8_t* row = buffer + static_cast<size_t>(y) * pitch;
    for (uint32_t x = 0; x < width; ++x)
    {
      Pixel value;
      std::memcpy(&value, row + x * sizeof(Pixel), sizeof(Pixel));
      out[static_cast<size_t>(y) * width + x] = static_cast<float>(value);
    }
  }
}
} // namespace

bool OrthancFrameDecoder::supports(const std::string&) const
{
  // Orthanc decides per instance, depending on the decoder plugins present; decodeFrame says
  // so clearly when it cannot.
  return true;
}

std::vector<float> OrthancFrameDecoder::decodeFrame(std::string_view instanceBytes,
                                                    unsigned frameIndex,
                                                    const dicom::PixelLayout& layout) const
{
  Image image(OrthancPluginDecodeDicomImage(
      context(), instanceBytes.data(), static_cast<uint32_t>(instanceBytes.size()), frameIndex));
  if (!image)
  {
    throw dicom::UnsupportedTransferSyntaxError(
        "Orthanc cannot decode frame " + std::to_string(frameIndex) + " (transfer syntax " +
            layout.transferSyntaxUid +
            "); for JPEG 2000 install a decoder plugin such as orthanc-gdcm",
        layout.transferSyntaxUid);
  }
  const uint32_t width = OrthancPluginGetImageWidth(context(), image.get());
  const uint32_t height = OrthancPluginGetImageHeight(context(), image.get());
  if (width != layout.columns || height != layout.rows)
  {
    throw dicom::UnsupportedPixelFormatError(
        "Orthanc decoded frame " + std::to_string(frameIndex) + " as " + std::to_string(width) +
        "x" + std::to_string(height) + ", expected " + std::to_string(layout.columns) + "x" +
        std::to_string(layout.rows));
  }
  const auto* buffer =
      static_cast<const uint8_t*>(OrthancPluginGetImageBuffer(context(), image.get()));
  const uint32_t pitch = OrthancPluginGetImagePitch(context(), image.get());
  std::vector<float> pixels(static_cast<size_t>(width) * height);
  switch (OrthancPluginGetImagePixelFormat(context(), image.get()))
  {
  case OrthancPluginPixelFormat_Grayscale8:
    copyRows<uint8_t>(buffer, pitch, width, height, pixels);
    break;
  case OrthancPluginPixelFormat_Grayscale16:
    copyRows<uint16_t>(buffer, pitch, width, height, pixels);
    break;
  case OrthancPluginPixelFormat_SignedGrayscale16:
    copyRows<int16_t>(buffer, pitch, width, height, pixels);
    break;
  case OrthancPluginPixelFormat_Grayscale32:
    copyRows<uint32_t>(buffer, pitch, width, height, pixels);
    break;
  case OrthancPluginPixelFormat_Float32:
    copyRows<float>(buffer, pitch, width, height, pixels);
    break;
  default:
    throw dicom::UnsupportedPixelFormatError(
        "Orthanc decoded frame " + std::to_string(frameIndex) +
        " to a colour or unsupported pixel format; only grayscale images can be segmented");
  }
  return pixels;
}
} // namespace iris::plugin
