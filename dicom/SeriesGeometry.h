#pragma once

#include "dicom/SeriesOptions.h"
#include "dicom/SeriesSlices.h"

#include <string>
#include <vector>

namespace iris::dicom
{
// Where each slice goes: slices[order[k]] becomes volume slice k.
struct SliceStack
{
  VolumeGeometry geometry;
  std::vector<size_t> order;
};

// Sorts slices by their position along the image normal and derives the grid (origin at the
// first slice, k step = (last - first) / (n - 1)). Throws InconsistentSeriesError naming the
// problem and the slices involved; `instanceNames[slice.instance]` names them.
// `columns` x `rows` is the (already checked) common image size.
SliceStack planSliceStack(const std::vector<SliceHeader>& slices,
                          const std::vector<std::string>& instanceNames, size_t columns,
                          size_t rows, const SeriesReadOptions& options);
} // namespace iris::dicom
