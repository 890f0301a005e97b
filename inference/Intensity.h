#pragma once

// Internal to inference/: includes torch.
#include <cstdint>
#include <string>
#include <torch/torch.h>

namespace iris::inference
{
// Which intensity rule applies. Anything but CT and PET (PT) follows the MR rule.
enum class IntensityModality
{
  CT,
  MR,
  PET
};

// "CT", "MR", "PT"/"PET" (DICOM Modality or a user's choice); "auto" or "" guesses from the
// voxels (CT when the 1st percentile is at most -500, i.e. air in Hounsfield units).
IntensityModality intensityModality(const std::string& name, const torch::Tensor& image);
std::string modalityName(IntensityModality modality);

// Non-finite voxels (NaN, +-inf) would spread through interpolation, so they are replaced
// before anything else by the smallest finite value of the volume, which the clip then maps to
// the clip minimum. Returns how many were replaced. Throws when no voxel is finite.
int64_t replaceNonFinite(torch::Tensor& image);

struct IntensityStatistics
{
  double clipLow = 0.0;
  double clipHigh = 0.0;
  double mean = 0.0;
  double std = 0.0;
};

// CT: clip to [-990, 500] HU; MR/PET: clip to the 2nd-98th percentiles. Then z-score over the
// whole tensor (when std <= 1e-6 only the mean is removed).
torch::Tensor normaliseIntensity(const torch::Tensor& image, IntensityModality modality,
                                 IntensityStatistics* statistics = nullptr);

// The q-quantile (0..1) of a float tensor, on at most a few million evenly strided samples.
double sampledQuantile(const torch::Tensor& values, double q);
} // namespace iris::inference
