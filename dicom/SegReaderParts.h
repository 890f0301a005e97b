#pragma once

#include "dicom/SegReader.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

class DcmItem;

namespace iris::dicom
{
// The SegmentSequence of a SEG dataset; `what` names the SEG in error messages.
std::vector<SegSegment> readSegmentSequence(DcmItem& dataset, const std::string& what);

// Finds the source slice of each SEG frame: through SourceImageSequence references when the
// frame has them, otherwise through its ImagePositionPatient on the referenced grid.
class SegFrameLocator
{
public:
  SegFrameLocator(const SeriesVolume& referenced, std::string what);

  // 0-based slice index of frame `frameIndex` (0-based), given its per-frame and the shared
  // functional group items (either may be null).
  size_t sliceOf(DcmItem* perFrame, DcmItem* shared, size_t frameIndex) const;

private:
  size_t sliceByPosition(DcmItem& planePosition, size_t frameIndex) const;

  const SeriesVolume& referenced_;
  std::string what_;
  std::map<std::pair<std::string, int>, size_t> sliceByInstance_; // (SOP UID, frame) -> k
  std::array<Vec3, 3> inverse_{};                                 // patient mm -> voxel
};
} // namespace iris::dicom
