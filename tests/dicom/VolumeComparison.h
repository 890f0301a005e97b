#pragma once

#include "dicom/Volume.h"

namespace iris::test
{
// Compares two volumes in patient coordinates, whatever their axis order and flips: every voxel
// centre of `actual` must coincide (within `toleranceMm`) with one of `reference`, the grids
// must cover the same voxels, and values must agree within `valueTolerance`.
void expectSameWorldVolume(const dicom::ImageVolume& actual, const dicom::ImageVolume& reference,
                           double toleranceMm, float valueTolerance);
} // namespace iris::test
