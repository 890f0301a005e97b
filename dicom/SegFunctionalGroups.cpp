#include "dicom/SegFunctionalGroups.h"

#include "dicom/SegDicomIo.h"
#include "dicom/SegErrors.h"
#include "dicom/SegWriterInput.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>

namespace iris::dicom
{
namespace
{
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
} // namespace

void addSharedGroups(DcmSegmentation& seg, const VolumeGeometry& grid,
                     const SegSourceAttributes& attributes)
{
  FGPixelMeasures measures;
  checkDcmtk(measures.setPixelSpacing(
                 (decimalString(grid.spacing[1]) + "\\" + decimalString(grid.spacing[0])).c_str()),
             "set PixelSpacing");
  const std::string spacing = decimalString(grid.spacing[2]);
  checkDcmtk(measures.setSliceThickness(attributes.sliceThickness.empty()
                                            ? spacing.c_str()
                                            : attributes.sliceThickness.c_str()),
             "set SliceThickness");
  checkDcmtk(measures.setSpacingBetweenSlices(spacing.c_str()), "set SpacingBetweenSlices");
  checkDcmtk(seg.addForAllFrames(measures), "add the pixel measures");

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
  checkDcmtk(seg.addForAllFrames(*orientation), "add the plane orientation");

  const std::string dimensionUid = newUid("");
  auto& dimensions = seg.getDimensions();
  checkDcmtk(dimensions.addDimensionIndex(DCM_ReferencedSegmentNumber, dimensionUid,
                                          DCM_SegmentIdentificationSequence,
                                          "ReferencedSegmentNumber"),
             "add the segment dimension");
  checkDcmtk(dimensions.addDimensionIndex(DCM_ImagePositionPatient, dimensionUid,
                                          DCM_PlanePositionSequence, "ImagePositionPatient"),
             "add the position dimension");
}

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
  checkDcmtk(ImageSOPInstanceReferenceMacro::create(slice.sopClassUid.c_str(),
                                                    slice.sopInstanceUid.c_str(), reference),
             "reference source instance " + slice.sopInstanceUid);
  const std::unique_ptr<ImageSOPInstanceReferenceMacro> owned(reference);
  if (slice.frameNumber > 0)
    checkDcmtk(reference->addReferencedFrameNumber(static_cast<Uint16>(slice.frameNumber)),
               "reference frame " + std::to_string(slice.frameNumber) + " of " +
                   slice.sopInstanceUid);
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
} // namespace iris::dicom
