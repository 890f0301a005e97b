#include "tools/LabelInput.h"

#include "dicom/Nifti.h"
#include "dicom/SegLabelAlignment.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace iris::cli
{
dicom::LabelVolume readNiftiLabelsOnGrid(const std::filesystem::path& path,
                                         const dicom::VolumeGeometry& grid)
{
  dicom::LabelVolume labels = dicom::readNiftiLabels(path);
  const double tolerance =
      std::max(1e-3, 0.01 * *std::min_element(grid.spacing.begin(), grid.spacing.end()));
  if (labels.geometry.sameGrid(grid, tolerance))
  {
    labels.geometry = grid;
    return labels;
  }
  if (auto aligned = dicom::alignLabelsToGrid(labels, grid, tolerance))
    return std::move(*aligned);
  const auto sizeText = [](const dicom::VolumeGeometry& g)
  {
    return std::to_string(g.size[0]) + "x" + std::to_string(g.size[1]) + "x" +
           std::to_string(g.size[2]);
  };
  throw std::invalid_argument(path.string() + " (" + sizeText(labels.geometry) +
                              ") is not on the grid of the series (" + sizeText(grid) +
                              "); resample it onto the series grid");
}
} // namespace iris::cli
