#pragma once

// Internal to inference/: includes torch. Every random draw uses torch's default generator,
// so a training step re-seeded from (seed, step) augments identically after a resume.
#include <torch/torch.h>

namespace iris::inference::training
{
struct AugmentOptions
{
  double scaleRange = 0.1;           // scale 1 +- this
  double rotationDegrees = 10.0;     // per axis, +-
  double translationFraction = 0.05; // of the crop edge, +-
  double brightnessRange = 0.1;      // multiply by 1 +- this, then add N(0, brightnessShift)
  double brightnessShift = 0.1;
  double gammaRange = 0.2;      // gamma and contrast 1 +- this
  double blurProbability = 0.2; // Gaussian blur sigma 0.7..1.3 voxels
  double noiseMax = 0.1;        // noise sigma up to this (z-scored intensities)
  double biasFieldMax = 0.0;    // query perturbation: smooth multiplicative field, +- this
};

// Same random affine (scale, rotation, translation) for the image [1,1,D,H,W] (trilinear) and
// its masks [1,K,D,H,W] (trilinear, then >= 0.5), then intensity changes on the image only.
// Masks stay binary float32.
void augmentInPlace(torch::Tensor& image, torch::Tensor& masks, const AugmentOptions& options);

// The query's extra perturbation on top of augmentInPlace: a smooth bias field.
AugmentOptions queryAugmentOptions();

// A separable Gaussian blur of [1,1,D,H,W] with sigma in voxels.
torch::Tensor gaussianBlur(const torch::Tensor& image, double sigma);
} // namespace iris::inference::training
