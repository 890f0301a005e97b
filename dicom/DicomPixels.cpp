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
void appendStoredValues(const Stored* data, size_t count, const PixelLayout& layout,
                        std::vector<float>& values)
{
  using Unsigned = std::make_unsigned_t<Stored>;
  using Signed = std::make_signed_t<Stored>;
  const unsigned unused = layout.bitsAllocated - layout.bitsStored;
  const Unsigned mask = static_cast<Unsigned>(~Unsigned{0} >> unused);
  values.reserve(values.size() + count);
  for (size_t index = 0; index < count; ++index)
  {
    const Unsigned raw = static_cast<Unsigned>(data[index]) & mask;
    if (layout.isSigned)
    {
      // Move the sign bit of BitsStored to the top, then shift back arithmetically.
      const Signed extended = static_cast<Signed>(static_cast<Unsigned>(raw << unused)) >> unused;
      values.push_back(static_cast<float>(extended));
    }
    else
    {
      values.push_back(static_cast<float>(raw));
    }
  }
}

std::vector<float> nativeStoredValues(DcmDataset& dataset, const PixelLayout& layout,
                                      const std::string& name)
{
  DcmElement* pixelData = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, pixelData).bad() || pixelData == nullptr)
  {
    throw MissingPixelDataError(name + " has no Pixel Data");
  }
  const size_t count = layout.pixelsPerFrame() * layout.frames;
  const size_t needed = count * (layout.bitsAllocated / 8);
  if (pixelData->getLength() < needed)
  {
    throw MissingPixelDataError(
        name + ": Pixel Data holds " + std::to_string(pixelData->getLength()) + " bytes, but " +
        std::to_string(layout.frames) + " frame(s) of " + std::to_string(layout.columns) + "x" +
        std::to_string(layout.rows) + " at " + std::to_string(layout.bitsAllocated) +
        " bits need " + std::to_string(needed));
  }
  std::vector<float> values;
  OFCondition status;
  if (layout.bitsAllocated == 8)
  {
    Uint8* data = nullptr;
    status = pixelData->getUint8Array(data);
    if (status.good() && data)
    {
      appendStoredValues(data, count, layout, values);
    }
  }
  else if (layout.bitsAllocated == 16)
  {
    Uint16* data = nullptr;
    status = pixelData->getUint16Array(data);
    if (status.good() && data)
    {
      appendStoredValues(data, count, layout, values);
    }
  }
  else
  {
    Uint32* data = nullptr;
    status = pixelData->getUint32Array(data);
    if (status.good() && data)
    {
      appendStoredValues(data, count, layout, values);
    }
  }
  if (values.size() != count)
  {
    throw MissingPixelDataError(name + ": Pixel Data could not be read (" +
                                std::string(status.text()) + "; truncated file?)");
  }
  return values;
}

std::vector<float> externallyDecodedValues(const PixelLayout& layout, const std::string& name,
                                           const FrameDecoder& decoder,
                                           const InstanceBytesProvider& instanceBytes)
{
  const std::string_view bytes = instanceBytes();
  std::vector<float> values;
  values.reserve(layout.pixelsPerFrame() * layout.frames);
  for (unsigned frame = 0; frame < layout.frames; ++frame)
  {
    const std::vector<float> decoded = decoder.decodeFrame(bytes, frame, layout);
    if (decoded.size() != layout.pixelsPerFrame())
    {
      throw MissingPixelDataError(name + ": frame " + std::to_string(frame + 1) + " decoded to " +
                                  std::to_string(decoded.size()) + " values instead of " +
                                  std::to_string(layout.pixelsPerFrame()));
    }
    values.insert(values.end(), decoded.begin(), decoded.end());
  }
  return values;
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

std::vector<float> decodeStoredValues(DcmFileFormat& file, const PixelLayout& layout,
                                      const std::string& name, const FrameDecoder* decoder,
                                      const InstanceBytesProvider& instanceBytes)
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
      return externallyDecodedValues(layout, name, *decoder, instanceBytes);
    }
    const OFCondition status = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (status.bad() || !dataset.canWriteXfer(EXS_LittleEndianExplicit))
    {
      throw MissingPixelDataError(name + ": the " + original.getXferName() +
                                  " pixel data could not be decoded (" + status.text() + ")");
    }
  }
  return nativeStoredValues(dataset, layout, name);
}
} // namespace iris::dicom
