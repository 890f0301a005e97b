#pragma once

#include "dicom/DicomFrameDecoder.h"
#include "dicom/SeriesVolume.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <optional>
#include <string>
#include <vector>

namespace iris::dicom
{
// One frame of one instance, with the geometry and value mapping it declares (classic
// attributes, or the per-frame/shared functional groups of an enhanced multi-frame object).
struct SliceHeader
{
  size_t instance = 0; // index of the instance among the reader's inputs
  unsigned frame = 0;  // 0-based frame within the instance
  SourceSlice source;
  std::optional<Vec3> position;                      // ImagePositionPatient
  std::optional<std::array<double, 6>> orientation;  // ImageOrientationPatient
  std::optional<std::array<double, 2>> pixelSpacing; // row spacing, column spacing
  double sliceThickness = 0.0;                       // 0 when absent
  double spacingBetweenSlices = 0.0;                 // 0 when absent
  double rescaleSlope = 1.0;
  double rescaleIntercept = 0.0;
};

struct InstanceHeader
{
  std::string name; // path or caller-given name, for messages
  PixelLayout layout;
  std::string seriesInstanceUid;
  std::vector<SliceHeader> frames;
};

// The header of an image instance, one SliceHeader per frame. Throws NotAnImageError for SR,
// PR, SEG, RT and other non-image objects, and for images without Rows/Columns.
InstanceHeader readInstanceHeader(DcmFileFormat& file, const std::string& name, size_t instance,
                                  const FrameDecoder* decoder);

// Copies study, series and patient attributes (not the geometry) into `series`.
void readSeriesAttributes(DcmFileFormat& file, SeriesVolume& series);
} // namespace iris::dicom
