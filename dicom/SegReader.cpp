#include "dicom/SegReader.h"

#include "dicom/DicomInput.h"
#include "dicom/SegBitPacking.h"
#include "dicom/SegDicomIo.h"
#include "dicom/SegErrors.h"
#include "dicom/SegReaderParts.h"

#include <algorithm>
#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcxfer.h>

namespace iris::dicom
{
namespace
{
constexpr const char* kSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

// Native pixel data bytes; RLE-compressed SEGs are decoded first.
const Uint8* pixelDataOf(DcmDataset& dataset, const std::string& what, unsigned long& length)
{
  if (DcmXfer(dataset.getOriginalXfer()).isEncapsulated())
  {
    DcmRLEDecoderRegistration::registerCodecs();
    if (dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad())
      throw SegFormatError(what + " has compressed pixel data that cannot be decoded");
  }
  const Uint8* data = nullptr;
  if (dataset.findAndGetUint8Array(DCM_PixelData, data, &length).bad() || data == nullptr)
    throw SegFormatError(what + " has no PixelData");
  return data;
}

SegContent readDataset(DcmDataset& dataset, const SeriesVolume& referenced,
                       const SegReadOptions& options, const std::string& what)
{
  const std::string sopClass = stringAttribute(dataset, DCM_SOPClassUID);
  if (sopClass != kSegmentationStorage)
  {
    throw NotASegError(what + " is not a Segmentation Storage object (SOP Class UID \"" + sopClass +
                       "\", Modality \"" + stringAttribute(dataset, DCM_Modality) + "\")");
  }
  SegContent content;
  content.segmentationType = stringAttribute(dataset, DCM_SegmentationType);
  content.sopInstanceUid = stringAttribute(dataset, DCM_SOPInstanceUID);
  content.seriesInstanceUid = stringAttribute(dataset, DCM_SeriesInstanceUID);
  content.frameOfReferenceUid = stringAttribute(dataset, DCM_FrameOfReferenceUID);
  content.segments = readSegmentSequence(dataset, what);

  const auto& grid = referenced.image.geometry;
  if (!content.frameOfReferenceUid.empty() && !referenced.frameOfReferenceUid.empty() &&
      content.frameOfReferenceUid != referenced.frameOfReferenceUid)
  {
    throw SegReferenceError(what + " is in frame of reference " + content.frameOfReferenceUid +
                            ", the series " + referenced.seriesInstanceUid + " in " +
                            referenced.frameOfReferenceUid);
  }
  Uint16 rows = 0, columns = 0, bitsAllocated = 0;
  dataset.findAndGetUint16(DCM_Rows, rows);
  dataset.findAndGetUint16(DCM_Columns, columns);
  dataset.findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
  if (rows != grid.size[1] || columns != grid.size[0])
  {
    throw SegReferenceError(what + " has " + std::to_string(columns) + "x" + std::to_string(rows) +
                            " frames, the series " + std::to_string(grid.size[0]) + "x" +
                            std::to_string(grid.size[1]) + " slices");
  }
  const bool binary = content.segmentationType == "BINARY";
  if ((binary && bitsAllocated != 1) ||
      (!binary && (content.segmentationType != "FRACTIONAL" || bitsAllocated != 8)))
  {
    throw SegFormatError(what + " has SegmentationType \"" + content.segmentationType +
                         "\" with BitsAllocated " + std::to_string(bitsAllocated));
  }

  DcmSequenceOfItems* perFrame = nullptr;
  dataset.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame);
  Sint32 frames = 0;
  dataset.findAndGetSint32(DCM_NumberOfFrames, frames);
  if (frames <= 0 || perFrame == nullptr || perFrame->card() != static_cast<unsigned long>(frames))
  {
    throw SegFormatError(what + " declares " + std::to_string(frames) + " frames but has " +
                         std::to_string(perFrame ? perFrame->card() : 0) +
                         " per-frame functional group items");
  }
  content.frameCount = static_cast<size_t>(frames);
  const size_t pixels = grid.size[0] * grid.size[1];
  unsigned long length = 0;
  const Uint8* data = pixelDataOf(dataset, what, length);
  const size_t needed =
      binary ? packedBinaryByteCount(pixels, content.frameCount) : pixels * content.frameCount;
  if (length < needed)
  {
    throw SegFormatError(what + " is truncated: PixelData has " + std::to_string(length) +
                         " bytes, " + std::to_string(content.frameCount) + " frames need " +
                         std::to_string(needed));
  }
  Uint16 maximumFraction = 255;
  dataset.findAndGetUint16(DCM_MaximumFractionalValue, maximumFraction);
  const double threshold = std::max(1.0, options.fractionalThreshold * maximumFraction);

  std::vector<int> indexOfNumber(65536, -1);
  for (size_t n = 0; n < content.segments.size(); ++n)
    indexOfNumber[content.segments[n].number] = static_cast<int>(n);
  content.labels.geometry = grid;
  content.labels.voxels.assign(grid.voxelCount(), 0);
  if (options.keepSegmentMasks)
    content.segmentMasks.assign(content.segments.size(),
                                Volume<uint8_t>{grid, std::vector<uint8_t>(grid.voxelCount(), 0)});
  DcmItem* shared = sequenceItem(dataset, DCM_SharedFunctionalGroupsSequence);
  const SegFrameLocator locator(referenced, what);
  std::vector<uint8_t> frame(pixels);
  for (size_t f = 0; f < content.frameCount; ++f)
  {
    DcmItem* item = perFrame->getItem(static_cast<unsigned long>(f));
    DcmItem* identification = sequenceItem(*item, DCM_SegmentIdentificationSequence);
    if (identification == nullptr && shared != nullptr)
      identification = sequenceItem(*shared, DCM_SegmentIdentificationSequence);
    Uint16 number = 0;
    if (identification == nullptr ||
        identification->findAndGetUint16(DCM_ReferencedSegmentNumber, number).bad() ||
        indexOfNumber[number] < 0)
    {
      throw SegFormatError(what + ": frame " + std::to_string(f + 1) +
                           " names no segment of the SegmentSequence");
    }
    const size_t k = locator.sliceOf(item, shared, f);
    if (binary)
      unpackBinaryFrame(data, pixels, f, frame.data());
    else
      for (size_t p = 0; p < pixels; ++p)
        frame[p] = data[f * pixels + p] >= threshold;
    uint16_t* labels = content.labels.voxels.data() + k * pixels;
    for (size_t p = 0; p < pixels; ++p)
    {
      if (frame[p] == 0)
        continue;
      if (labels[p] != 0 && labels[p] != number)
        content.overlapping = true;
      labels[p] = std::max(labels[p], number);
    }
    if (options.keepSegmentMasks)
    {
      auto& mask = content.segmentMasks[static_cast<size_t>(indexOfNumber[number])].voxels;
      std::transform(frame.begin(), frame.end(), mask.begin() + static_cast<long>(k * pixels),
                     mask.begin() + static_cast<long>(k * pixels),
                     [](uint8_t in, uint8_t old) { return static_cast<uint8_t>(in | old); });
    }
  }
  return content;
}
} // namespace

SegContent readSeg(const std::filesystem::path& seg, const SeriesVolume& referenced,
                   const SegReadOptions& options)
{
  auto file = openDicomFile(seg);
  return readDataset(*file->getDataset(), referenced, options, seg.string());
}

SegContent readSegBuffer(const std::vector<uint8_t>& seg, const SeriesVolume& referenced,
                         const SegReadOptions& options)
{
  const std::string_view bytes(reinterpret_cast<const char*>(seg.data()), seg.size());
  auto file = openDicomBytes(bytes, "SEG buffer");
  return readDataset(*file->getDataset(), referenced, options, "SEG buffer");
}
} // namespace iris::dicom
