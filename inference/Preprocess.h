#pragma once

// Internal to inference/: includes torch.
#include "dicom/Volume.h"
#include "inference/Crop.h"
#include "inference/Intensity.h"
#include "inference/Resample.h"

#include <cstdint>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace iris::inference
{
struct PreprocessOptions
{
  double spacingMm = 1.5;      // model voxel size
  Index3 patch{128, 128, 128}; // the network's input window (D, H, W)
  bool bodyCrop = true;        // crop the query to the body before normalising
};

// A query on the model grid, ready for the sliding window.
struct PreparedQuery
{
  torch::Tensor image;    // [D, H, W] float32, normalised, on grid's cropped extent (not padded)
  torch::Tensor unscaled; // the same voxels before clipping and z-scoring
  ModelGrid grid;
  IntensityModality modality = IntensityModality::MR;
  IntensityStatistics statistics;
  int64_t nonFiniteVoxels = 0; // replaced (see replaceNonFinite)
};

// Reorient, resample (trilinear), body crop, clip and z-score. `modality`: see
// intensityModality.
PreparedQuery prepareQuery(const dicom::ImageVolume& image, const std::string& modality,
                           const PreprocessOptions& options);

// One reference crop of the patch size and the masks of the classes it covers.
struct PreparedReference
{
  torch::Tensor image;         // [1, 1, P, P, P], normalised over the crop (padding included)
  torch::Tensor masks;         // [1, K', P, P, P] float32 in {0, 1}
  std::vector<size_t> classes; // per mask channel: its index in the requested class list
  int64_t nonFiniteVoxels = 0;
};

// Reorients and resamples the image (trilinear) and the labels (nearest, same grid required),
// then crops the patch centred on the foreground of the requested label values: one crop when
// all of them fit in a patch, else one crop per class. Throws SegmentationError when a
// requested value has no voxel, or the label grid differs from the image grid.
std::vector<PreparedReference> prepareReference(const dicom::ImageVolume& image,
                                                const dicom::LabelVolume& labels,
                                                const std::vector<uint16_t>& classValues,
                                                const std::string& modality,
                                                const PreprocessOptions& options);

// Patch-sized crops of a model-grid image [D, H, W] around the foreground of `masks` (one
// non-empty [D, H, W] mask per class): one crop centred on all of them when they fit in a
// patch, else one per class. Each crop is clipped and z-scored on its own (padding included).
std::vector<PreparedReference> cropAroundForeground(const torch::Tensor& image,
                                                    const std::vector<torch::Tensor>& masks,
                                                    IntensityModality modality,
                                                    const Index3& patch);

// Probabilities [K, D, H, W] on a query's cropped model grid back onto its source voxels
// (trilinear, before any decision, so the boundary keeps sub-voxel precision), then: a voxel
// takes label k+1 when p_k >= threshold and p_k exceeds every earlier class's probability, else
// 0; optionally only the largest 6-connected component of each label is kept.
dicom::LabelVolume restoreLabels(const torch::Tensor& probabilities, const ModelGrid& grid,
                                 double threshold = 0.5, bool largestComponent = true);
} // namespace iris::inference
