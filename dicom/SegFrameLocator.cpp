#include "dicom/DicomInput.h"
#include "dicom/SegDicomIo.h"
#include "dicom/SegErrors.h"
#include "dicom/SegReaderParts.h"

#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

namespace iris::dicom
{
namespace
{
// Positions within this fraction of a voxel of a grid point count as on the grid; SEG writers
// round IPP text, so exact equality would be too strict.
constexpr double kGridTolerance = 0.05;

std::string frameName(size_t frameIndex)
{
  return "frame " + std::to_string(frameIndex + 1);
}
} // namespace

SegFrameLocator::SegFrameLocator(const SeriesVolume& referenced, std::string what)
    : referenced_(referenced), what_(std::move(what))
{
  for (size_t k = 0; k < referenced.slices.size(); ++k)
  {
    const auto& slice = referenced.slices[k];
    sliceByInstance_[{slice.sopInstanceUid, slice.frameNumber}] = k;
  }
  // Columns of m map voxel steps to mm; invert it once by cofactors.
  const auto& grid = referenced.image.geometry;
  double m[3][3];
  for (int row = 0; row < 3; ++row)
    for (int axis = 0; axis < 3; ++axis)
      m[row][axis] = grid.axes[axis][row] * grid.spacing[axis];
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  if (std::abs(det) < 1e-12)
    throw SegReferenceError("the referenced series has a degenerate grid");
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
    {
      const int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
      inverse_[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
    }
}

size_t SegFrameLocator::sliceOf(DcmItem* perFrame, DcmItem* shared, size_t frameIndex) const
{
  DcmItem* derivation = perFrame ? sequenceItem(*perFrame, DCM_DerivationImageSequence) : nullptr;
  DcmSequenceOfItems* sources = nullptr;
  if (derivation != nullptr &&
      derivation->findAndGetSequence(DCM_SourceImageSequence, sources).good() && sources &&
      sources->card() > 0)
  {
    std::string firstMissing;
    for (unsigned long n = 0; n < sources->card(); ++n)
    {
      DcmItem& source = *sources->getItem(n);
      const std::string uid = stringAttribute(source, DCM_ReferencedSOPInstanceUID);
      Sint32 frame = 0;
      source.findAndGetSint32(DCM_ReferencedFrameNumber, frame);
      const auto found = sliceByInstance_.find({uid, frame});
      if (found != sliceByInstance_.end())
        return found->second;
      if (firstMissing.empty())
        firstMissing = uid;
    }
    throw SegReferenceError(
        what_ + ": " + frameName(frameIndex) + " is derived from SOP Instance " + firstMissing +
        ", which is not in the referenced series " + referenced_.seriesInstanceUid);
  }
  DcmItem* position = perFrame ? sequenceItem(*perFrame, DCM_PlanePositionSequence) : nullptr;
  if (position == nullptr && shared != nullptr)
    position = sequenceItem(*shared, DCM_PlanePositionSequence);
  if (position == nullptr)
  {
    throw SegFormatError(what_ + ": " + frameName(frameIndex) +
                         " has neither a source image reference nor a plane position");
  }
  return sliceByPosition(*position, frameIndex);
}

size_t SegFrameLocator::sliceByPosition(DcmItem& planePosition, size_t frameIndex) const
{
  Vec3 offset{};
  for (unsigned long c = 0; c < 3; ++c)
  {
    Float64 value = 0;
    if (planePosition.findAndGetFloat64(DCM_ImagePositionPatient, value, c).bad())
      throw SegFormatError(what_ + ": " + frameName(frameIndex) + " has no ImagePositionPatient");
    offset[c] = value - referenced_.image.geometry.origin[c];
  }
  Vec3 voxel{};
  for (int r = 0; r < 3; ++r)
    voxel[r] = inverse_[r][0] * offset[0] + inverse_[r][1] * offset[1] + inverse_[r][2] * offset[2];
  const double k = std::round(voxel[2]);
  const size_t slices = referenced_.image.geometry.size[2];
  if (std::abs(voxel[0]) > kGridTolerance || std::abs(voxel[1]) > kGridTolerance ||
      std::abs(voxel[2] - k) > kGridTolerance || k < 0 || k >= static_cast<double>(slices))
  {
    throw SegReferenceError(what_ + ": " + frameName(frameIndex) +
                            " lies off the referenced series' slices (voxel position " +
                            std::to_string(voxel[0]) + ", " + std::to_string(voxel[1]) + ", " +
                            std::to_string(voxel[2]) + ")");
  }
  return static_cast<size_t>(k);
}
} // namespace iris::dicom
