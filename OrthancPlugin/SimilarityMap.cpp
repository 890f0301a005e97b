#include "OrthancPlugin/SimilarityMap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace iris::plugin
{
namespace
{
constexpr size_t kTargetPixels = 768;
constexpr size_t kMaxCellPixels = 32;
constexpr size_t kBarGap = 8;
constexpr size_t kBarWidth = 16;
constexpr size_t kMinBarHeight = 64;

void fill(dicom::RgbImage& image, size_t x0, size_t y0, size_t width, size_t height,
          const std::array<uint8_t, 3>& colour)
{
  for (size_t y = y0; y < y0 + height; ++y)
  {
    for (size_t x = x0; x < x0 + width; ++x)
    {
      std::copy(colour.begin(), colour.end(), image.pixel(x, y));
    }
  }
}
} // namespace

SimilarityMatrix cosineSimilarityMatrix(const std::vector<std::vector<float>>& vectors)
{
  const size_t n = vectors.size();
  std::vector<double> norms(n, 0.0);
  for (size_t i = 0; i < n; ++i)
  {
    if (vectors[i].size() != vectors[0].size())
    {
      throw std::invalid_argument("cosine similarity: vector " + std::to_string(i) + " has " +
                                  std::to_string(vectors[i].size()) + " values, vector 0 has " +
                                  std::to_string(vectors[0].size()));
    }
    double sum = 0.0;
    for (const float value : vectors[i])
    {
      sum += static_cast<double>(value) * value;
    }
    norms[i] = std::sqrt(sum);
  }
  SimilarityMatrix matrix(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i)
  {
    for (size_t j = i; j < n; ++j)
    {
      if (norms[i] == 0.0 || norms[j] == 0.0)
      {
        continue;
      }
      double dot = 0.0;
      for (size_t k = 0; k < vectors[i].size(); ++k)
      {
        dot += static_cast<double>(vectors[i][k]) * vectors[j][k];
      }
      const double value = i == j ? 1.0 : std::clamp(dot / (norms[i] * norms[j]), -1.0, 1.0);
      matrix[i][j] = matrix[j][i] = value;
    }
  }
  return matrix;
}

std::array<uint8_t, 3> similarityColour(double value)
{
  // Blue (59, 76, 192) and red (180, 4, 38) ends of the "coolwarm" map, through white, so that
  // both signs and zero read at a glance.
  const double t = std::isfinite(value) ? std::clamp(value, -1.0, 1.0) : 0.0;
  const std::array<double, 3> end =
      t < 0 ? std::array<double, 3>{59, 76, 192} : std::array<double, 3>{180, 4, 38};
  const double weight = std::abs(t);
  std::array<uint8_t, 3> colour{};
  for (size_t c = 0; c < 3; ++c)
  {
    colour[c] = static_cast<uint8_t>(std::lround(255.0 + (end[c] - 255.0) * weight));
  }
  return colour;
}

dicom::RgbImage renderHeatMap(const SimilarityMatrix& matrix, size_t cellPixels)
{
  const size_t n = matrix.size();
  const size_t cell = cellPixels > 0 ? cellPixels
                                     : std::clamp<size_t>(kTargetPixels / std::max<size_t>(n, 1), 1,
                                                          kMaxCellPixels);
  const size_t side = n * cell;
  const size_t height = std::max(side, kMinBarHeight);
  dicom::RgbImage image(side + kBarGap + kBarWidth, height);
  std::fill(image.rgb.begin(), image.rgb.end(), uint8_t{255});
  for (size_t i = 0; i < n; ++i)
  {
    if (matrix[i].size() != n)
    {
      throw std::invalid_argument("heat map: row " + std::to_string(i) + " has " +
                                  std::to_string(matrix[i].size()) + " values, expected " +
                                  std::to_string(n));
    }
    for (size_t j = 0; j < n; ++j)
    {
      fill(image, j * cell, i * cell, cell, cell, similarityColour(matrix[i][j]));
    }
  }
  for (size_t y = 0; y < height; ++y)
  {
    const double value = height > 1 ? 1.0 - 2.0 * static_cast<double>(y) / (height - 1) : 0.0;
    fill(image, side + kBarGap, y, kBarWidth, 1, similarityColour(value));
  }
  return image;
}
} // namespace iris::plugin
