#include "inference/Resample.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace iris::inference
{
namespace
{
torch::Tensor voxelTensor(const void* data, const dicom::VolumeGeometry& geometry,
                          torch::Dtype dtype, size_t voxelCount)
{
  if (voxelCount != geometry.voxelCount() || voxelCount == 0)
  {
    throw std::invalid_argument("Volume holds " + std::to_string(voxelCount) +
                                " voxels but its geometry declares " +
                                std::to_string(geometry.voxelCount()));
  }
  const auto shape = std::vector<int64_t>{static_cast<int64_t>(geometry.size[2]),
                                          static_cast<int64_t>(geometry.size[1]),
                                          static_cast<int64_t>(geometry.size[0])};
  return torch::from_blob(const_cast<void*>(data), shape, dtype).clone();
}

void checkGridShape(const torch::Tensor& tensor, const dicom::VolumeGeometry& grid)
{
  if (tensor.dim() != 3 || tensor.size(0) != static_cast<int64_t>(grid.size[2]) ||
      tensor.size(1) != static_cast<int64_t>(grid.size[1]) ||
      tensor.size(2) != static_cast<int64_t>(grid.size[0]))
  {
    throw std::invalid_argument("Tensor shape does not match the target grid");
  }
}

// `Stored` is the tensor's element type (`dtype`), `Voxel` the volume's.
template <typename Voxel, typename Stored>
dicom::Volume<Voxel> tensorToVolume(const torch::Tensor& tensor, const dicom::VolumeGeometry& grid,
                                    torch::Dtype dtype)
{
  checkGridShape(tensor, grid);
  const auto values = tensor.to(torch::kCPU, dtype).contiguous();
  dicom::Volume<Voxel> volume;
  volume.geometry = grid;
  const Stored* data = values.data_ptr<Stored>();
  volume.voxels.assign(data, data + values.numel());
  return volume;
}
} // namespace

Index3 ModelGrid::croppedSize() const
{
  return {cropEnd[0] - cropBegin[0], cropEnd[1] - cropBegin[1], cropEnd[2] - cropBegin[2]};
}

std::array<double, 3> ModelGrid::spacing() const
{
  const auto sourceSpacing = orientedSpacing(source, orientation);
  std::array<double, 3> result{};
  for (int dim = 0; dim < 3; ++dim)
  {
    result[dim] = sourceSpacing[dim] * static_cast<double>(orientedSize[dim]) /
                  static_cast<double>(size[dim]);
  }
  return result;
}

ModelGrid planModelGrid(const dicom::VolumeGeometry& source, double targetSpacingMm)
{
  if (!(targetSpacingMm > 0.0))
  {
    throw std::invalid_argument("Model spacing must be positive, got " +
                                std::to_string(targetSpacingMm));
  }
  if (source.voxelCount() == 0)
  {
    throw std::invalid_argument("Volume has no voxels");
  }
  ModelGrid grid;
  grid.source = source;
  grid.orientation = closestRasOrientation(source);
  const auto sizes = orientedSize(source, grid.orientation);
  const auto spacing = orientedSpacing(source, grid.orientation);
  for (int dim = 0; dim < 3; ++dim)
  {
    grid.orientedSize[dim] = static_cast<int64_t>(sizes[dim]);
    const double extent = static_cast<double>(sizes[dim]) * spacing[dim];
    grid.size[dim] = std::max<int64_t>(1, std::llround(extent / targetSpacingMm));
    grid.cropEnd[dim] = grid.size[dim];
  }
  return grid;
}

torch::Tensor imageToTensor(const dicom::ImageVolume& image)
{
  return voxelTensor(image.voxels.data(), image.geometry, torch::kFloat32, image.voxels.size());
}

torch::Tensor labelsToTensor(const dicom::LabelVolume& labels)
{
  // No kUInt16 in LibTorch 1.13: widen by hand.
  std::vector<int32_t> wide(labels.voxels.begin(), labels.voxels.end());
  return voxelTensor(wide.data(), labels.geometry, torch::kInt32, wide.size());
}

dicom::LabelVolume tensorToLabels(const torch::Tensor& labels, const dicom::VolumeGeometry& grid)
{
  return tensorToVolume<uint16_t, int32_t>(labels, grid, torch::kInt32);
}

dicom::ImageVolume tensorToImage(const torch::Tensor& image, const dicom::VolumeGeometry& grid)
{
  return tensorToVolume<float, float>(image, grid, torch::kFloat32);
}

torch::Tensor orientToRas(const torch::Tensor& source, const RasOrientation& orientation)
{
  const int64_t lead = source.dim() - 3;
  std::vector<int64_t> order;
  for (int64_t dim = 0; dim < lead; ++dim)
  {
    order.push_back(dim);
  }
  std::vector<int64_t> flips;
  for (int dim = 0; dim < 3; ++dim)
  {
    order.push_back(lead + 2 - orientation.sourceAxis[dim]);
    if (orientation.flipped[dim])
    {
      flips.push_back(lead + dim);
    }
  }
  auto ras = source.permute(order);
  return flips.empty() ? ras.contiguous() : ras.flip(flips).contiguous();
}

torch::Tensor orientToSource(const torch::Tensor& ras, const RasOrientation& orientation)
{
  const int64_t lead = ras.dim() - 3;
  std::vector<int64_t> flips;
  std::vector<int64_t> order(static_cast<size_t>(ras.dim()));
  for (int64_t dim = 0; dim < lead; ++dim)
  {
    order[dim] = dim;
  }
  for (int dim = 0; dim < 3; ++dim)
  {
    if (orientation.flipped[dim])
    {
      flips.push_back(lead + dim);
    }
    // Source dim (k, j, i order) 2 - axis is RAS dim `dim`.
    order[lead + 2 - orientation.sourceAxis[dim]] = lead + dim;
  }
  const auto unflipped = flips.empty() ? ras : ras.flip(flips);
  return unflipped.permute(order).contiguous();
}

torch::Tensor resampleDim(const torch::Tensor& input, int64_t dim, int64_t outputSize, double scale,
                          double offset, Interpolation interpolation, bool zeroOutside)
{
  const int64_t inputSize = input.size(dim);
  const auto coordinate =
      torch::arange(outputSize, torch::TensorOptions().dtype(torch::kFloat64)) * scale + offset;
  std::vector<int64_t> weightShape(static_cast<size_t>(input.dim()), 1);
  weightShape[static_cast<size_t>(dim)] = outputSize;
  const auto device = input.device();

  torch::Tensor result;
  if (interpolation == Interpolation::Nearest)
  {
    const auto index = torch::floor(coordinate + 0.5).clamp(0, inputSize - 1).to(torch::kInt64);
    result = input.index_select(dim, index.to(device));
  }
  else
  {
    const auto lower = torch::floor(coordinate);
    const auto weight = (coordinate - lower).to(input.scalar_type()).to(device).view(weightShape);
    const auto low = lower.clamp(0, inputSize - 1).to(torch::kInt64).to(device);
    const auto high = (lower + 1).clamp(0, inputSize - 1).to(torch::kInt64).to(device);
    result = torch::lerp(input.index_select(dim, low), input.index_select(dim, high), weight);
  }
  if (zeroOutside)
  {
    const auto inside = (coordinate >= -0.5) & (coordinate <= static_cast<double>(inputSize) - 0.5);
    result = result * inside.to(result.scalar_type()).to(device).view(weightShape);
  }
  return result;
}

torch::Tensor toModelGrid(const torch::Tensor& source, const ModelGrid& grid,
                          Interpolation interpolation)
{
  auto values = orientToRas(source, grid.orientation);
  if (interpolation == Interpolation::Linear && !values.is_floating_point())
  {
    values = values.to(torch::kFloat32);
  }
  const int64_t lead = values.dim() - 3;
  for (int dim = 0; dim < 3; ++dim)
  {
    // Model voxel t (uncropped) has its centre at source coordinate (t + 0.5) * scale - 0.5.
    const double scale = static_cast<double>(grid.orientedSize[dim]) / grid.size[dim];
    const double offset = 0.5 * scale - 0.5 + scale * static_cast<double>(grid.cropBegin[dim]);
    values = resampleDim(values, lead + dim, grid.cropEnd[dim] - grid.cropBegin[dim], scale, offset,
                         interpolation, false);
  }
  return values.contiguous();
}

torch::Tensor toSourceGrid(const torch::Tensor& model, const ModelGrid& grid)
{
  const auto cropped = grid.croppedSize();
  const int64_t lead = model.dim() - 3;
  auto values = model.is_floating_point() ? model : model.to(torch::kFloat32);
  for (int dim = 0; dim < 3; ++dim)
  {
    if (values.size(lead + dim) != cropped[dim])
    {
      throw std::invalid_argument("Model-grid tensor does not match the grid's crop");
    }
    const double scale = static_cast<double>(grid.size[dim]) / grid.orientedSize[dim];
    const double offset = 0.5 * scale - 0.5 - static_cast<double>(grid.cropBegin[dim]);
    values = resampleDim(values, lead + dim, grid.orientedSize[dim], scale, offset,
                         Interpolation::Linear, true);
  }
  return orientToSource(values, grid.orientation);
}
} // namespace iris::inference
