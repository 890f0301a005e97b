#include "dicom/SegWriter.h"

#include "dicom/DicomInput.h"
#include "dicom/SegBitPacking.h"
#include "dicom/SegDicomIo.h"
#include "dicom/SegErrors.h"
#include "dicom/SegWriterInput.h"

#include <algorithm>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <fstream>
#include <memory>

namespace iris::dicom
{
namespace
{
void check(const OFCondition& status, const std::string& what)
{
  if (status.bad())
  {
    throw SegEncodingError("DCMTK could not " + what + ": " + status.text());
  }
}

std::vector<std::string> splitValues(const std::string& text)
{
  std::vector<std::string> values(1);
  for (const char c : text)
  {
    if (c == '\\')
      values.emplace_back();
    else
      values.back() += c;
  }
  return values;
}

std::unique_ptr<DcmSegmentation> createDocument(const VolumeGeometry& grid,
                                                const SegWriteOptions& options)
{
  DcmSegmentation* created = nullptr;
  check(DcmSegmentation::createBinarySegmentation(
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
    check(DcmSegment::create(
              created, description.label.c_str(),
              CodeSequenceMacro(cat.value.c_str(), cat.scheme.c_str(), cat.meaning.c_str()),
              CodeSequenceMacro(type.value.c_str(), type.scheme.c_str(), type.meaning.c_str()),
              DcmSegTypes::SAT_AUTOMATIC, description.algorithmName.c_str()),
          "create segment \"" + description.label + "\"");
    std::unique_ptr<DcmSegment> segment(created);
    auto& algorithm = segment->getSegmentationAlgorithmIdentification();
    check(algorithm.getAlgorithmFamilyCode().set("123110", "DCM", "Artificial Intelligence"),
          "set the algorithm family");
    check(algorithm.setAlgorithmName(description.algorithmName.c_str()), "set AlgorithmName");
    check(algorithm.setAlgorithmVersion(description.algorithmVersion.c_str()),
          "set AlgorithmVersion");
    const auto& colour = description.colour;
    check(segment->setRecommendedDisplayCIELabValue(colour.l, colour.a, colour.b),
          "set the segment colour");
    if (description.typeModifier)
    {
      const auto& modifier = *description.typeModifier;
      segment->getSegmentedPropertyTypeModifierCode().push_back(new CodeSequenceMacro(
          modifier.value.c_str(), modifier.scheme.c_str(), modifier.meaning.c_str()));
    }
    if (!description.description.empty())
    {
      check(segment->setSegmentDescription(description.description.c_str()),
            "set SegmentDescription");
    }
    Uint16 number = 0;
    check(seg.addSegment(segment.get(), number), "add segment \"" + description.label + "\"");
    segment.release(); // the document owns it now
  }
}

void addSharedGroups(DcmSegmentation& seg, const VolumeGeometry& grid,
                     const SegSourceAttributes& attributes)
{
  FGPixelMeasures measures;
  check(measures.setPixelSpacing(
            (decimalString(grid.spacing[1]) + "\\" + decimalString(grid.spacing[0])).c_str()),
        "set PixelSpacing");
  const std::string spacing = decimalString(grid.spacing[2]);
  check(measures.setSliceThickness(attributes.sliceThickness.empty()
                                       ? spacing.c_str()
                                       : attributes.sliceThickness.c_str()),
        "set SliceThickness");
  check(measures.setSpacingBetweenSlices(spacing.c_str()), "set SpacingBetweenSlices");
  check(seg.addForAllFrames(measures), "add the pixel measures");

  std::vector<std::string> iop = splitValues(attributes.imageOrientation);
  if (iop.size() != 6)
  {
    iop.clear();
    for (int axis = 0; axis < 2; ++axis)
      for (int row = 0; row < 3; ++row)
        iop.push_back(decimalString(grid.axes[axis][row]));
  }
  std::unique_ptr<FGPlaneOrientationPatient> orientation(
      FGPlaneOrientationPatient::createMinimal(iop[0].c_str(), iop[1].c_str(), iop[2].c_str(),
                                               iop[3].c_str(), iop[4].c_str(), iop[5].c_str()));
  if (!orientation)
  {
    throw SegEncodingError("DCMTK refused ImageOrientationPatient " + attributes.imageOrientation);
  }
  check(seg.addForAllFrames(*orientation), "add the plane orientation");

  const std::string dimensionUid = newUid("");
  auto& dimensions = seg.getDimensions();
  check(dimensions.addDimensionIndex(DCM_ReferencedSegmentNumber, dimensionUid,
                                     DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"),
        "add the segment dimension");
  check(dimensions.addDimensionIndex(DCM_ImagePositionPatient, dimensionUid,
                                     DCM_PlanePositionSequence, "ImagePositionPatient"),
        "add the position dimension");
}

// Per-slice functional groups, made once and shared by every segment's frame of that slice.
struct SliceGroups
{
  std::unique_ptr<FGPlanePosPatient> position;
  std::unique_ptr<FGDerivationImage> derivation;
};

SliceGroups makeSliceGroups(size_t k, const SeriesVolume& source,
                            const SegSourceAttributes& attributes)
{
  std::vector<std::string> ipp;
  if (!attributes.imagePositions.empty())
    ipp = splitValues(attributes.imagePositions[k]);
  if (ipp.size() != 3)
  {
    const Vec3 point = source.image.geometry.voxelToPatient({0.0, 0.0, static_cast<double>(k)});
    ipp = {decimalString(point[0]), decimalString(point[1]), decimalString(point[2])};
  }
  SliceGroups groups;
  groups.position.reset(
      FGPlanePosPatient::createMinimal(ipp[0].c_str(), ipp[1].c_str(), ipp[2].c_str()));
  const auto& slice = source.slices[k];
  ImageSOPInstanceReferenceMacro* reference = nullptr;
  check(ImageSOPInstanceReferenceMacro::create(slice.sopClassUid.c_str(),
                                               slice.sopInstanceUid.c_str(), reference),
        "reference source instance " + slice.sopInstanceUid);
  const std::unique_ptr<ImageSOPInstanceReferenceMacro> owned(reference);
  if (slice.frameNumber > 0)
    check(reference->addReferencedFrameNumber(static_cast<Uint16>(slice.frameNumber)),
          "reference frame " + std::to_string(slice.frameNumber) + " of " + slice.sopInstanceUid);
  OFVector<ImageSOPInstanceReferenceMacro> references(1, *reference);
  groups.derivation.reset(DcmSegmentation::createDerivationImageFG(
      references, "Segmentation of the source image by the Iris network"));
  if (!groups.position || !groups.derivation)
  {
    throw SegEncodingError("DCMTK could not build the groups of source slice " +
                           std::to_string(k + 1));
  }
  return groups;
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
  check(seg->importFromSourceImage(*sanitisedStudyDataset(*attributes.studyDataset)),
        "import patient and study");
  // A source without a frame of reference gets a new one, as dcmqi does: the SEG still needs one.
  const std::string frameOfReference =
      source.frameOfReferenceUid.empty() ? newUid(options.uidRoot) : source.frameOfReferenceUid;
  check(seg->getFrameOfReference().setFrameOfReferenceUID(frameOfReference.c_str()),
        "set FrameOfReferenceUID");
  check(seg->getSeries().setSeriesInstanceUID(newUid(options.uidRoot).c_str()),
        "set SeriesInstanceUID");
  check(seg->getSOPCommon().setSOPInstanceUID(newUid(options.uidRoot).c_str()),
        "set SOPInstanceUID");
  check(seg->getSeries().setSeriesNumber(std::to_string(options.seriesNumber).c_str()),
        "set SeriesNumber");
  check(seg->getSeries().setSeriesDescription(options.seriesDescription.c_str()),
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
    check(content.setDimensionIndexValues(segmentNumber, 0), "index the segment");
    check(content.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1), "index the slice");
    OFVector<FGBase*> perFrame;
    perFrame.push_back(groups[k].position.get());
    perFrame.push_back(&content);
    perFrame.push_back(groups[k].derivation.get());
    check(seg->addFrame(mask.data(), segmentNumber, perFrame),
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
  check(seg->writeDataset(dataset), "write the segmentation dataset");
  const std::vector<uint8_t> packed = packer.finish();
  check(dataset.putAndInsertUint8Array(DCM_PixelData, packed.data(),
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
