#pragma once

#include "dicom/Volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace iris::inference
{
// Torch-free post-processing on voxel grids (x fastest, then y, then z).

// Keeps, in `mask` (non-zero = foreground), only the largest 6-connected component; ties keep
// the component met first in raster order. Returns its voxel count (0 for an empty mask).
size_t keepLargestComponent(std::vector<uint8_t>& mask, const std::array<size_t, 3>& size);

// Keeps the largest 6-connected component of every non-zero label value; other voxels of that
// value become background.
void keepLargestComponentPerLabel(dicom::LabelVolume& labels);

// Per-label Dice 2|A∩B|/(|A|+|B|) of `value` between two label maps of one grid (1 when both
// are empty).
double dice(const dicom::LabelVolume& a, const dicom::LabelVolume& b, uint16_t value);
} // namespace iris::inference
