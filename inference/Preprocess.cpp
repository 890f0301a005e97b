#include "inference/Preprocess.h"

#include "inference/Postprocess.h"
#include "inference/SegmentationError.h"

#include <algorithm>
#include <string>

namespace iris::inference
{
namespace
{
torch::Tensor sanitisedImage(const dicom::ImageVolume& image, int64_t& nonFinite)
{
  auto tensor = imageToTensor(image);
  try
  {
    nonFinite = replaceNonFinite(tensor);
  }
  catch (const std::invalid_argument& error)
  {
    throw SegmentationError(error.what());
  }
  return tensor;
}

bool fitsIn(const Box& box, const Index3& patch)
{
  const auto size = box.size();
  return size[0] <= patch[0] && size[1] <= patch[1] && size[2] <= patch[2];
}

Box unionBox(const Box& a, const Box& b)
{
  Box box;
  for (int dim = 0; dim < 3; ++dim)
  {
    box.begin[dim] = std::min(a.begin[dim], b.begin[dim]);
    box.end[dim] = std::max(a.end[dim], b.end[dim]);
  }
  return box;
}
} // namespace

PreparedQuery prepareQuery(const dicom::ImageVolume& image, const std::string& modality,
                           const PreprocessOptions& options)
{
  PreparedQuery query;
  const auto source = sanitisedImage(image, query.nonFiniteVoxels);
  query.modality = intensityModality(modality, source);
  query.grid = planModelGrid(image.geometry, options.spacingMm);
  auto resampled = toModelGrid(source, query.grid, Interpolation::Linear);
  if (options.bodyCrop)
  {
    const Box body = bodyBox(resampled, query.modality);
    query.grid.cropBegin = body.begin;
    query.grid.cropEnd = body.end;
    resampled = extractBox(resampled, body);
  }
  query.unscaled = resampled;
  query.image = normaliseIntensity(resampled, query.modality, &query.statistics);
  return query;
}

std::vector<PreparedReference> prepareReference(const dicom::ImageVolume& image,
                                                const dicom::LabelVolume& labels,
                                                const std::vector<uint16_t>& classValues,
                                                const std::string& modality,
                                                const PreprocessOptions& options)
{
  if (classValues.empty())
  {
    throw SegmentationError("A reference needs at least one class");
  }
  const auto& spacing = image.geometry.spacing;
  const double tolerance = 0.05 * std::min({spacing[0], spacing[1], spacing[2]});
  if (!labels.geometry.sameGrid(image.geometry, tolerance))
  {
    throw SegmentationError("The reference label's voxel grid differs from its image's");
  }
  int64_t nonFinite = 0;
  const auto source = sanitisedImage(image, nonFinite);
  const auto intensity = intensityModality(modality, source);
  const auto grid = planModelGrid(image.geometry, options.spacingMm);
  const auto resampled = toModelGrid(source, grid, Interpolation::Linear);
  const auto label = toModelGrid(labelsToTensor(labels), grid, Interpolation::Nearest);

  std::vector<torch::Tensor> masks;
  for (const uint16_t value : classValues)
  {
    auto mask = label == static_cast<int32_t>(value);
    if (!mask.any().item<bool>())
    {
      const bool inSource =
          std::find(labels.voxels.begin(), labels.voxels.end(), value) != labels.voxels.end();
      throw SegmentationError("The reference label has no voxel of class " + std::to_string(value) +
                              (inSource ? " left at the model spacing (structure too small)" : ""));
    }
    masks.push_back(mask.to(torch::kFloat32));
  }
  auto references = cropAroundForeground(resampled, masks, intensity, options.patch);
  for (auto& reference : references)
  {
    reference.nonFiniteVoxels = nonFinite;
  }
  return references;
}

std::vector<PreparedReference> cropAroundForeground(const torch::Tensor& image,
                                                    const std::vector<torch::Tensor>& masks,
                                                    IntensityModality modality, const Index3& patch)
{
  std::vector<Box> boxes;
  for (const auto& mask : masks)
  {
    boxes.push_back(foregroundBox(mask));
    if (boxes.back().size()[0] == 0)
    {
      throw SegmentationError("Cannot crop around an empty mask");
    }
  }
  // Classes that fit in one patch share one crop (one encoder pass); otherwise each class
  // gets a crop centred on its own foreground.
  Box all = boxes.front();
  for (const auto& box : boxes)
  {
    all = unionBox(all, box);
  }
  std::vector<std::vector<size_t>> groups;
  if (fitsIn(all, patch))
  {
    groups.emplace_back();
    for (size_t k = 0; k < masks.size(); ++k)
    {
      groups.back().push_back(k);
    }
  }
  else
  {
    for (size_t k = 0; k < masks.size(); ++k)
    {
      groups.push_back({k});
    }
  }

  std::vector<PreparedReference> references;
  for (const auto& group : groups)
  {
    Box foreground = boxes[group.front()];
    std::vector<torch::Tensor> groupMasks;
    for (const size_t k : group)
    {
      foreground = unionBox(foreground, boxes[k]);
      groupMasks.push_back(masks[k]);
    }
    const Box crop = centredBox(foreground, patch);
    PreparedReference reference;
    reference.image =
        normaliseIntensity(extractBox(image, crop), modality).unsqueeze(0).unsqueeze(0);
    reference.masks = extractBox(torch::stack(groupMasks), crop).unsqueeze(0);
    reference.classes = group;
    references.push_back(std::move(reference));
  }
  return references;
}

dicom::LabelVolume restoreLabels(const torch::Tensor& probabilities, const ModelGrid& grid,
                                 double threshold, bool largestComponent)
{
  if (probabilities.dim() != 4)
  {
    throw std::invalid_argument("restoreLabels expects probabilities [K, D, H, W]");
  }
  const auto& size = grid.source.size;
  const auto shape = std::vector<int64_t>{
      static_cast<int64_t>(size[2]), static_cast<int64_t>(size[1]), static_cast<int64_t>(size[0])};
  auto best = torch::zeros(shape, torch::kFloat32);
  auto label = torch::zeros(shape, torch::kInt32);
  // One class at a time keeps memory at a few source-sized tensors whatever K is.
  for (int64_t k = 0; k < probabilities.size(0); ++k)
  {
    const auto p = toSourceGrid(probabilities[k].to(torch::kCPU, torch::kFloat32), grid);
    const auto wins = (p >= threshold) & (p > best);
    best = torch::where(wins, p, best);
    label.masked_fill_(wins, static_cast<int32_t>(k + 1));
  }
  auto labels = tensorToLabels(label, grid.source);
  if (largestComponent)
  {
    keepLargestComponentPerLabel(labels);
  }
  return labels;
}
} // namespace iris::inference
