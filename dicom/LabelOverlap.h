#pragma once

#include "dicom/Volume.h"

#include <cstdint>
#include <vector>

namespace iris::dicom
{
// Voxel counts of one label in a reference and a predicted label map on the same grid.
struct LabelOverlap
{
  uint16_t label = 0;
  size_t reference = 0;
  size_t predicted = 0;
  size_t intersection = 0;

  // 2|A∩B| / (|A| + |B|); 1 when the label is absent from both.
  double dice() const;
};

// One entry per non-zero label present in either map, ascending. Throws std::invalid_argument
// when the two maps do not have the same voxel counts.
std::vector<LabelOverlap> compareLabels(const LabelVolume& reference, const LabelVolume& predicted);

// Every non-zero label merged into one foreground (reported as label 0), e.g. the whole
// hippocampus when the labels are its parts. Same size rule as compareLabels.
LabelOverlap compareForeground(const LabelVolume& reference, const LabelVolume& predicted);
} // namespace iris::dicom
