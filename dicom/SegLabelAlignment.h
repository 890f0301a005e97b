#pragma once

#include "dicom/Volume.h"

#include <optional>

namespace iris::dicom
{
// `labels` re-indexed onto `grid` when both describe the same voxels, only stored in another
// axis order or direction (a NIfTI written in RAS order, slices reversed): every axis of `grid`
// must be parallel or antiparallel to one of `labels`' with the same size and spacing, and every
// voxel centre must land within `toleranceMm`. No interpolation: otherwise std::nullopt.
std::optional<LabelVolume> alignLabelsToGrid(const LabelVolume& labels, const VolumeGeometry& grid,
                                             double toleranceMm);
} // namespace iris::dicom
