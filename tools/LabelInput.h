#pragma once

#include "dicom/Volume.h"

#include <filesystem>

namespace iris::cli
{
// Labels from a NIfTI file, re-indexed onto `grid` when they describe the same voxels in another
// axis order or direction, and given the exact grid when they match it within a hundredth of a
// voxel (NIfTI stores its affine in float32). Throws std::invalid_argument naming the file when
// the labels do not lie on the grid.
dicom::LabelVolume readNiftiLabelsOnGrid(const std::filesystem::path& path,
                                         const dicom::VolumeGeometry& grid);
} // namespace iris::cli
