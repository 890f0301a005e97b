#pragma once

#include "dicom/SegmentDescription.h"
#include "dicom/SeriesVolume.h"
#include "dicom/Volume.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace iris::dicom
{
// A segment as a SEG describes it. description.labelValue is the segment number.
struct SegSegment
{
  uint16_t number = 0;
  SegmentDescription description;
  std::string algorithmType; // AUTOMATIC, SEMIAUTOMATIC or MANUAL
};

struct SegReadOptions
{
  // Also return one binary mask per segment (costs one byte per voxel and segment).
  bool keepSegmentMasks = false;
  // FRACTIONAL SEGs: a voxel belongs to a segment when its value is at least this fraction of
  // MaximumFractionalValue (and not 0).
  double fractionalThreshold = 0.5;
};

// A SEG placed on the grid of the series it segments.
struct SegContent
{
  std::vector<SegSegment> segments; // in SegmentSequence order
  // Each voxel holds the number of the segment covering it. Where segments overlap, the
  // highest segment number wins; `overlapping` says whether that happened, and the masks
  // (when asked for) keep every segment whole.
  LabelVolume labels;
  bool overlapping = false;
  std::vector<Volume<uint8_t>> segmentMasks; // segmentMasks[n] belongs to segments[n]
  std::string segmentationType;              // BINARY or FRACTIONAL
  std::string sopInstanceUid;
  std::string seriesInstanceUid;
  std::string frameOfReferenceUid;
  size_t frameCount = 0;
};

// Reads a Segmentation Storage object onto `referenced`'s grid (its voxels are not needed).
// Frames are placed by their SourceImageSequence references when present, otherwise by their
// ImagePositionPatient. Throws NotASegError (not DICOM, not a SEG), SegFormatError (truncated,
// malformed, unsupported encoding) or SegReferenceError (other frame of reference or grid,
// frames referencing instances or positions outside the series).
SegContent readSeg(const std::filesystem::path& seg, const SeriesVolume& referenced,
                   const SegReadOptions& options = {});
SegContent readSegBuffer(const std::vector<uint8_t>& seg, const SeriesVolume& referenced,
                         const SegReadOptions& options = {});
} // namespace iris::dicom
