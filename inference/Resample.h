#pragma once

// Internal to inference/: includes torch.
#include "dicom/Volume.h"
#include "inference/Orient.h"

#include <array>
#include <cstdint>
#include <torch/torch.h>

namespace iris::inference
{
using Index3 = std::array<int64_t, 3>;

// Where a source volume lies on the model grid: voxel axes permuted/flipped to RAS (tensor dims
// D, H, W), each dim resampled to about `targetSpacingMm` over the same physical extent (voxel
// edges stay put, as with align_corners=false), then cropped to [cropBegin, cropEnd).
struct ModelGrid
{
  dicom::VolumeGeometry source;
  RasOrientation orientation;
  Index3 orientedSize{}; // source voxels along D, H, W
  Index3 size{};         // model voxels along D, H, W before cropping
  Index3 cropBegin{};
  Index3 cropEnd{}; // exclusive

  Index3 croppedSize() const;
  std::array<double, 3> spacing() const; // actual model spacing along D, H, W (mm)
};

// Size round(n * spacing / target), at least 1, per dim; no crop yet.
ModelGrid planModelGrid(const dicom::VolumeGeometry& source, double targetSpacingMm);

// Voxels as a [k, j, i] tensor (float32 or int32), and back.
torch::Tensor imageToTensor(const dicom::ImageVolume& image);
torch::Tensor labelsToTensor(const dicom::LabelVolume& labels);
dicom::LabelVolume tensorToLabels(const torch::Tensor& labels, const dicom::VolumeGeometry& grid);
dicom::ImageVolume tensorToImage(const torch::Tensor& image, const dicom::VolumeGeometry& grid);

// Permutes and flips the last three dims between source order (k, j, i) and RAS order (D, H, W).
torch::Tensor orientToRas(const torch::Tensor& source, const RasOrientation& orientation);
torch::Tensor orientToSource(const torch::Tensor& ras, const RasOrientation& orientation);

enum class Interpolation
{
  Linear,
  Nearest
};

// Source-ordered tensor [..., k, j, i] onto the (cropped) model grid [..., D, H, W]. Linear is
// separable trilinear; Nearest keeps label values. Coordinates outside the source replicate
// its edge.
torch::Tensor toModelGrid(const torch::Tensor& source, const ModelGrid& grid,
                          Interpolation interpolation);

// Values on the cropped model grid [..., D, H, W] back onto the source voxels [..., k, j, i],
// trilinearly; source voxels whose centre falls outside the crop (beyond half a voxel) get 0.
torch::Tensor toSourceGrid(const torch::Tensor& model, const ModelGrid& grid);

// Resamples one dim: output index t reads input coordinate scale * t + offset.
torch::Tensor resampleDim(const torch::Tensor& input, int64_t dim, int64_t outputSize, double scale,
                          double offset, Interpolation interpolation, bool zeroOutside);
} // namespace iris::inference
