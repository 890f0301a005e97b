#pragma once

// Normalised surface Dice (Nikolov et al., 2021): how much of two segmentations' surfaces lies
// within a tolerance of the other's. It forgives the one-voxel boundary disagreements that weigh
// heavily in the volume Dice of small structures such as the hippocampus. Torch-free.
#include "dicom/Volume.h"

#include <cstdint>

namespace iris::inference::training
{
// The fraction of both surfaces within `toleranceMm` of the other surface, in [0, 1]. A surface
// is the set of a label's voxels with a 6-neighbour outside the label (or on the volume's edge);
// distances are between voxel centres, in mm along the grid's axes. Both labels absent: 1; one
// absent: 0. The two volumes must share a voxel grid (throws std::invalid_argument otherwise).
double surfaceDice(const dicom::LabelVolume& truth, uint16_t truthValue,
                   const dicom::LabelVolume& predicted, uint16_t predictedValue,
                   double toleranceMm);
} // namespace iris::inference::training
