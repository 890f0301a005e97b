#include "dicom/SegWriter.h"

#include "dicom/DicomInput.h"
#include "dicom/SegBitPacking.h"
#include "dicom/SegDicomIo.h"
#include "dicom/SegErrors.h"
#include "dicom/SegFunctionalGroups.h"
#include "dicom/SegWriterInput.h"

#include <algorithm>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <fstream>
#include <memory>

namespace iris::dicom
{
namespace
{
std::unique_ptr<DcmSegmentation> createDocument(const VolumeGeometry& grid,
                                                const SegWriteOptions& options)
{
  DcmSegmentation* created = nullptr;
  checkDcmtk(DcmSegmentation::createBinarySegmentation(
                 created, static_cast<Uint16>(grid.size[1]), static_cast<Uint16>(grid.size[0]),
                 IODGeneralEquipmentModule::EquipmentInfo(options.manufacturer, options.modelName,
                                                          options.deviceSerialNumber,
                                                          options.softwareVersion),
                 ContentIdentificationMacro("1", options.contentLabel.c_str(),
                                            options.contentDescription.c_str(),
                                            options.contentCreator.c_str())),
             "create the segmentation (check equipment and content label)");
  return std::unique_ptr<DcmSegmentation>(created);
}

void addSegments(DcmSegmentation& seg, const std::vector<SegmentDescription>& segments)
{
  for (const auto& description : segments)
  {
    const auto& cat = description.category;
    const auto& type = description.type;
    DcmSegment* created = nullptr;
    checkDcmtk(DcmSegment::create(
                   created, description.label.c_str(),
                   CodeSequenceMacro(cat.value.c_str(), cat.scheme.c_str(), cat.meaning.c_str()),
                   CodeSequenceMacro(type.value.c_str(), type.scheme.c_str(), type.meaning.c_str()),
                   DcmSegTypes::SAT_AUTOMATIC, description.algorithmName.c_str()),
               "create segment \"" + description.label + "\"");
    std::unique_ptr<DcmSegment> segment(created);
    auto& algorithm = segment->getSegmentationAlgorithmIdentification();
    checkDcmtk(algorithm.getAlgorithmFamilyCode().set("123110", "DCM", "Artificial Intelligence"),
               "set the algorithm family");
    checkDcmtk(algorithm.setAlgorithmName(description.algorithmName.c_str()), "set AlgorithmName");
    checkDcmtk(algorithm.setAlgorithmVersion(description.algorithmVersion.c_str()),
               "set AlgorithmVersion");
    const auto& colour = description.colour;
    checkDcmtk(segment->setRecommendedDisplayCIELabValue(colour.l, colour.a, colour.b),
               "set the segment colour");
    if (description.typeModifier)
    {
      const auto& modifier = *description.typeModifier;
      segment->getSegmentedPropertyTypeModifierCode().push_back(new CodeSequenceMacro(
          modifier.value.c_str(), modifier.scheme.c_str(), modifier.meaning.c_str()));
    }
    if (!description.description.empty())
    {
      checkDcmtk(segment->setSegmentDescription(description.description.c_str()),
                 "set SegmentDescription");
    }
    Uint16 number = 0;
    checkDcmtk(seg.addSegment(segment.get(), number), "add segment \"" + description.label + "\"");
    segment.release(); // the document owns it now
  }
}

} // namespace

std::vector<uint8_t> writeSeg(const LabelVolume& labels,
                              const std::vector<SegmentDescription>& segments,
                              const SeriesVolume& source, const SegSourceAttributes& attributes,
                              const SegWriteOptions& options)
{
  const SegmentIndexByValue indexByValue =
      checkSegWriterInput(labels, segments, source, attributes);
  const VolumeGeometry& grid = source.image.geometry;
  auto seg = createDocument(grid, options);
  checkDcmtk(seg->importFromSourceImage(*sanitisedStudyDataset(*attributes.studyDataset)),
             "import patient and study");
  // A source without a frame of reference gets a new one, as dcmqi does: the SEG still needs one.
  const std::string frameOfReference =
      source.frameOfReferenceUid.empty() ? newUid(options.uidRoot) : source.frameOfReferenceUid;
  checkDcmtk(seg->getFrameOfReference().setFrameOfReferenceUID(frameOfReference.c_str()),
             "set FrameOfReferenceUID");
  const auto reservedOrNew = [&](const std::string& reserved)
  { return reserved.empty() ? newUid(options.uidRoot) : reserved; };
  checkDcmtk(
      seg->getSeries().setSeriesInstanceUID(reservedOrNew(options.seriesInstanceUid).c_str()),
      "set SeriesInstanceUID");
  checkDcmtk(seg->getSOPCommon().setSOPInstanceUID(reservedOrNew(options.sopInstanceUid).c_str()),
             "set SOPInstanceUID");
  checkDcmtk(seg->getSeries().setSeriesNumber(std::to_string(options.seriesNumber).c_str()),
             "set SeriesNumber");
  checkDcmtk(seg->getSeries().setSeriesDescription(options.seriesDescription.c_str()),
             "set SeriesDescription");
  addSegments(*seg, segments);
  addSharedGroups(*seg, grid, attributes);

  // Which segments occur on which slice, from one pass over the labels.
  const size_t pixels = grid.size[0] * grid.size[1];
  const size_t slices = grid.size[2];
  std::vector<char> present(slices * segments.size(), 0);
  for (size_t k = 0; k < slices; ++k)
  {
    const uint16_t* slice = labels.voxels.data() + k * pixels;
    for (size_t p = 0; p < pixels; ++p)
      if (slice[p] != 0)
        present[k * segments.size() + static_cast<size_t>(indexByValue[slice[p]])] = 1;
  }
  size_t expectedFrames = 0;
  for (size_t s = 0; s < segments.size(); ++s)
  {
    size_t framesOfSegment = 0;
    for (size_t k = 0; k < slices; ++k)
      framesOfSegment += !options.omitEmptyFrames || present[k * segments.size() + s] != 0;
    expectedFrames += std::max<size_t>(framesOfSegment, 1);
  }
  std::vector<SliceGroups> groups(slices);
  std::vector<uint8_t> mask(pixels, 0);
  BinaryFramePacker packer(pixels, expectedFrames);
  FGFrameContent content;
  const auto addFrame = [&](Uint16 segmentNumber, size_t k)
  {
    if (!groups[k].position)
      groups[k] = makeSliceGroups(k, source, attributes);
    checkDcmtk(content.setDimensionIndexValues(segmentNumber, 0), "index the segment");
    checkDcmtk(content.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1), "index the slice");
    OFVector<FGBase*> perFrame;
    perFrame.push_back(groups[k].position.get());
    perFrame.push_back(&content);
    perFrame.push_back(groups[k].derivation.get());
    checkDcmtk(seg->addFrame(mask.data(), segmentNumber, perFrame),
               "add frame for segment " + std::to_string(segmentNumber) + ", slice " +
                   std::to_string(k + 1));
    packer.appendFrame(mask.data());
  };
  for (size_t s = 0; s < segments.size(); ++s)
  {
    const size_t framesBefore = packer.frameCount();
    for (size_t k = 0; k < slices; ++k)
    {
      if (options.omitEmptyFrames && present[k * segments.size() + s] == 0)
        continue;
      const uint16_t value = segments[s].labelValue;
      const uint16_t* slice = labels.voxels.data() + k * pixels;
      for (size_t p = 0; p < pixels; ++p)
        mask[p] = slice[p] == value;
      addFrame(static_cast<Uint16>(s + 1), k);
    }
    if (packer.frameCount() == framesBefore)
    {
      // dcmseg refuses more segments than frames: an empty segment keeps one all-zero frame.
      std::fill(mask.begin(), mask.end(), 0);
      addFrame(static_cast<Uint16>(s + 1), 0);
    }
  }

  IODReferences references;
  const std::string patientId = stringAttribute(*attributes.studyDataset, DCM_PatientID);
  for (size_t k = 0; k < slices; ++k)
  {
    if (!groups[k].position)
      continue;
    const auto& slice = source.slices[k];
    OFVector<Uint32> frames;
    if (slice.frameNumber > 0)
      frames.push_back(static_cast<Uint32>(slice.frameNumber));
    references.add(new IODImageReference(
        patientId.c_str(), source.studyInstanceUid.c_str(), source.seriesInstanceUid.c_str(),
        slice.sopInstanceUid.c_str(), slice.sopClassUid.c_str(), frames));
  }
  seg->getCommonInstanceReference().addReferences(references, source.studyInstanceUid.c_str());
  seg->setCheckFGOnWrite(OFFalse);
  seg->setCheckDimensionsOnWrite(OFFalse);

  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  checkDcmtk(seg->writeDataset(dataset), "write the segmentation dataset");
  const std::vector<uint8_t> packed = packer.finish();
  checkDcmtk(dataset.putAndInsertUint8Array(DCM_PixelData, packed.data(),
                                            static_cast<unsigned long>(packed.size())),
             "replace PixelData with the correctly packed frames");
  addSegProvenance(dataset, segments, options.manufacturer);
  copyDeidentification(*attributes.studyDataset, dataset);
  return saveDicomBuffer(file);
}

void writeSegFile(const std::filesystem::path& output, const LabelVolume& labels,
                  const std::vector<SegmentDescription>& segments, const SeriesVolume& source,
                  const SegSourceAttributes& attributes, const SegWriteOptions& options)
{
  const auto bytes = writeSeg(labels, segments, source, attributes, options);
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out.flush())
  {
    throw SegEncodingError("cannot write " + output.string());
  }
}
} // namespace iris::dicom
