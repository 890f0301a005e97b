#include "dicom/DicomPixels.h"

#include "dicom/DicomError.h"
#include "dicom/DicomInput.h"

#include <cstdint>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <type_traits>

namespace iris::dicom
{
namespace
{
unsigned unsignedAttribute(DcmItem& item, const DcmTagKey& tag, unsigned fallback)
{
  const auto value = numberAttribute(item, tag);
  return value && *value >= 0 ? static_cast<unsigned>(*value) : fallback;
}

std::string transferSyntaxOf(DcmFileFormat& file)
{
  std::string uid = stringAttribute(*file.getMetaInfo(), DCM_TransferSyntaxUID);
  if (uid.empty())
  {
    uid = DcmXfer(file.getDataset()->getOriginalXfer()).getXferID();
  }
  return uid;
}

template <typename Stored>
void convertStoredValues(const Stored* data, const PixelLayout& layout,
                         const FrameDestination& destination)
{
  using Unsigned = std::make_unsigned_t<Stored>;
  using Signed = std::make_signed_t<Stored>;
  const unsigned unused = layout.bitsAllocated - layout.bitsStored;
  const Unsigned mask = static_cast<Unsigned>(~Unsigned{0} >> unused);
  const size_t count = layout.pixelsPerFrame();
  for (unsigned frame = 0; frame < layout.frames; ++frame)
  {
    const Stored* in = data + frame * count;
    float* out = destination(frame);
    for (size_t index = 0; index < count; ++index)
    {
      const Unsigned raw = static_cast<Unsigned>(in[index]) & mask;
      // Signed: move the sign bit of BitsStored to the top, then shift back arithmetically.
      out[index] = layout.isSigned
                       ? static_cast<float>(
                             static_cast<Signed>(static_cast<Unsigned>(raw << unused)) >> unused)
                       : static_cast<float>(raw);
    }
  }
}

void nativeStoredValues(DcmDataset& dataset, const PixelLayout& layout, const std::string& name,
                        const FrameDestination& destination)
{
  DcmElement* pixelData = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, pixelData).bad() || pixelData == nullptr)
  {
    throw MissingPixelDataError(name + " has no Pixel Data");
  }
  const size_t needed = layout.pixelsPerFrame() * layout.frames * (layout.bitsAllocated / 8);
  if (pixelData->getLength() < needed)
  {
    throw MissingPixelDataError(
        name + ": Pixel Data holds " + std::to_string(pixelData->getLength()) + " bytes, but " +
        std::to_string(layout.frames) + " frame(s) of " + std::to_string(layout.columns) + "x" +
        std::to_string(layout.rows) + " at " + std::to_string(layout.bitsAllocated) +
        " bits need " + std::to_string(needed));
  }
  OFCondition status;
  Uint8* bytes = nullptr;
  Uint16* words = nullptr;
  Uint32* longs = nullptr;
  if (layout.bitsAllocated == 8 && (status = pixelData->getUint8Array(bytes)).good() && bytes)
  {
    return convertStoredValues(bytes, layout, destination);
  }
  if (layout.bitsAllocated == 16 && (status = pixelData->getUint16Array(words)).good() && words)
  {
    return convertStoredValues(words, layout, destination);
  }
  if (layout.bitsAllocated == 32 && (status = pixelData->getUint32Array(longs)).good() && longs)
  {
    return convertStoredValues(longs, layout, destination);
  }
  throw MissingPixelDataError(name + ": Pixel Data could not be read (" +
                              std::string(status.text()) + "; truncated file?)");
}

void externallyDecodedValues(const PixelLayout& layout, const std::string& name,
                             const FrameDecoder& decoder,
                             const InstanceBytesProvider& instanceBytes,
                             const FrameDestination& destination)
{
  const std::string_view bytes = instanceBytes();
  for (unsigned frame = 0; frame < layout.frames; ++frame)
  {
    const std::vector<float> decoded = decoder.decodeFrame(bytes, frame, layout);
    if (decoded.size() != layout.pixelsPerFrame())
    {
      throw MissingPixelDataError(name + ": frame " + std::to_string(frame + 1) + " decoded to " +
                                  std::to_string(decoded.size()) + " values instead of " +
                                  std::to_string(layout.pixelsPerFrame()));
    }
    std::copy(decoded.begin(), decoded.end(), destination(frame));
  }
}

// Throws UnsupportedTransferSyntaxError unless DCMTK or `decoder` can decode the pixel data.
void requireDecodable(const PixelLayout& layout, const std::string& name,
                      const FrameDecoder* decoder)
{
  const DcmXfer syntax(layout.transferSyntaxUid.c_str());
  registerDicomCodecs();
  if (!syntax.isEncapsulated() ||
      DcmCodecList::canChangeCoding(syntax.getXfer(), EXS_LittleEndianExplicit) ||
      (decoder != nullptr && decoder->supports(layout.transferSyntaxUid)))
  {
    return;
  }
  throw UnsupportedTransferSyntaxError(
      name + ": unsupported transfer syntax " + layout.transferSyntaxUid + " (" +
          syntax.getXferName() + "): DCMTK cannot decode it" +
          (decoder ? " and neither can the given frame decoder"
                   : "; inside Orthanc, an installed decoder plugin (e.g. orthanc-gdcm) "
                     "handles it"),
      layout.transferSyntaxUid);
}
} // namespace

PixelLayout readPixelLayout(DcmFileFormat& file, const std::string& name,
                            const FrameDecoder* decoder)
{
  DcmDataset& dataset = *file.getDataset();
  PixelLayout layout;
  layout.rows = unsignedAttribute(dataset, DCM_Rows, 0);
  layout.columns = unsignedAttribute(dataset, DCM_Columns, 0);
  if (layout.rows == 0 || layout.columns == 0)
  {
    throw NotAnImageError(name + " is not an image (no Rows/Columns)");
  }
  layout.frames = std::max(1u, unsignedAttribute(dataset, DCM_NumberOfFrames, 1));
  layout.samplesPerPixel = unsignedAttribute(dataset, DCM_SamplesPerPixel, 1);
  layout.bitsAllocated = unsignedAttribute(dataset, DCM_BitsAllocated, 0);
  layout.bitsStored = unsignedAttribute(dataset, DCM_BitsStored, layout.bitsAllocated);
  layout.isSigned = unsignedAttribute(dataset, DCM_PixelRepresentation, 0) == 1;
  layout.photometricInterpretation = stringAttribute(dataset, DCM_PhotometricInterpretation);
  layout.transferSyntaxUid = transferSyntaxOf(file);
  requireDecodable(layout, name, decoder);
  if (layout.samplesPerPixel != 1 || (layout.photometricInterpretation != "MONOCHROME1" &&
                                      layout.photometricInterpretation != "MONOCHROME2" &&
                                      !layout.photometricInterpretation.empty()))
  {
    throw UnsupportedPixelFormatError(name + " has colour pixels (" +
                                      layout.photometricInterpretation + ", " +
                                      std::to_string(layout.samplesPerPixel) +
                                      " samples per pixel); only greyscale "
                                      "(MONOCHROME1/2) images form a volume");
  }
  if ((layout.bitsAllocated != 8 && layout.bitsAllocated != 16 && layout.bitsAllocated != 32) ||
      layout.bitsStored == 0 || layout.bitsStored > layout.bitsAllocated)
  {
    throw UnsupportedPixelFormatError(
        name + " has BitsAllocated " + std::to_string(layout.bitsAllocated) + " and BitsStored " +
        std::to_string(layout.bitsStored) + "; supported are 8, 16 or 32 allocated bits");
  }
  return layout;
}

void decodeStoredFrames(DcmFileFormat& file, const PixelLayout& layout, const std::string& name,
                        const FrameDecoder* decoder, const InstanceBytesProvider& instanceBytes,
                        const FrameDestination& destination)
{
  DcmDataset& dataset = *file.getDataset();
  if (!dataset.tagExists(DCM_PixelData))
  {
    throw MissingPixelDataError(name + " has no Pixel Data");
  }
  const DcmXfer original(dataset.getOriginalXfer());
  if (original.isEncapsulated())
  {
    registerDicomCodecs();
    if (!DcmCodecList::canChangeCoding(original.getXfer(), EXS_LittleEndianExplicit))
    {
      requireDecodable(layout, name, decoder);
      return externallyDecodedValues(layout, name, *decoder, instanceBytes, destination);
    }
    const OFCondition status = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (status.bad() || !dataset.canWriteXfer(EXS_LittleEndianExplicit))
    {
      throw MissingPixelDataError(name + ": the " + original.getXferName() +
                                  " pixel data could not be decoded (" + status.text() + ")");
    }
  }
  nativeStoredValues(dataset, layout, name, destination);
}

std::vector<float> decodeStoredValues(DcmFileFormat& file, const PixelLayout& layout,
                                      const std::string& name, const FrameDecoder* decoder,
                                      const InstanceBytesProvider& instanceBytes)
{
  std::vector<float> values(layout.pixelsPerFrame() * layout.frames);
  decodeStoredFrames(file, layout, name, decoder, instanceBytes,
                     [&](unsigned frame)
                     { return values.data() + frame * layout.pixelsPerFrame(); });
  return values;
}
} // namespace iris::dicom
