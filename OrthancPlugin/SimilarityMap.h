#pragma once

#include "dicom/Png.h"

#include <array>
#include <cstdint>
#include <vector>

namespace iris::plugin
{
using SimilarityMatrix = std::vector<std::vector<double>>;

// Cosine similarity between every pair of vectors (all of one length; std::invalid_argument
// otherwise), accumulated in double. A zero vector has similarity 0 with everything, itself
// included, rather than NaN. Symmetric by construction, clamped to [-1, 1].
SimilarityMatrix cosineSimilarityMatrix(const std::vector<std::vector<float>>& vectors);

// The matrix as a heat map: cell (i, j) at row i, column j, each `cellPixels` square (chosen so
// the picture is at most about 768 pixels wide when 0), a diverging colour map from blue (-1)
// through white (0) to red (+1), and a colour bar at the right (+1 at the top, -1 at the bottom).
// Classes are not labelled: the order is that of the matrix.
dicom::RgbImage renderHeatMap(const SimilarityMatrix& matrix, size_t cellPixels = 0);

// The diverging colour of a similarity in [-1, 1] (values outside are clamped).
std::array<uint8_t, 3> similarityColour(double value);
} // namespace iris::plugin
