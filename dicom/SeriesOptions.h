#pragma once

#include "dicom/DicomFrameDecoder.h"

#include <cstddef>

namespace iris::dicom
{
// The largest volume a reader assembles; bigger series raise VolumeTooLargeError before any
// voxel memory is allocated.
struct VolumeSizeCap
{
  size_t columns = 2048;
  size_t rows = 2048;
  size_t slices = 4000;
  // columns x rows x slices; a float volume takes 4 bytes per voxel.
  size_t voxels = size_t{1} << 31;
};

struct SeriesReadOptions
{
  VolumeSizeCap cap;
  // Stacks of 2 .. minimumSlices-1 slices are refused: their spacing cannot be verified.
  size_t minimumSlices = 3;
  // A single image still loads, as a one-slice volume (thickness from SpacingBetweenSlices or
  // SliceThickness).
  bool allowSingleSlice = true;
  // Largest relative deviation of a slice step from the median step (missing slices, jitter).
  double spacingTolerance = 0.05;
  // Largest angle between the slice stack and the image normal (gantry tilt, shear).
  double tiltToleranceDegrees = 0.5;
  // Largest distance of a slice from the straight line through the first and last slice; covers
  // positions rounded to 0.1 mm.
  double positionToleranceMm = 0.2;
  // Decodes transfer syntaxes DCMTK cannot (JPEG 2000); null: such series are refused. It is
  // called from several threads at once when `threads` allows.
  const FrameDecoder* frameDecoder = nullptr;
  // Instances decoded in parallel; 0: one per core, at most 8.
  size_t threads = 0;
};
} // namespace iris::dicom
