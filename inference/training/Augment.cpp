#include "inference/training/Augment.h"

#include <cmath>

namespace iris::inference::training
{
namespace
{
double uniform(double low, double high)
{
  return low + (high - low) * torch::rand({1}, torch::kFloat64).item<double>();
}

bool chance(double probability)
{
  return torch::rand({1}, torch::kFloat64).item<double>() < probability;
}

// 3x3 rotation about x, y, z (radians), then isotropic-ish scale per axis.
torch::Tensor randomAffine(const AugmentOptions& options)
{
  const double pi = std::acos(-1.0);
  const double limit = options.rotationDegrees * pi / 180.0;
  const double a = uniform(-limit, limit), b = uniform(-limit, limit), c = uniform(-limit, limit);
  auto rx =
      torch::tensor({1.0, 0.0, 0.0, 0.0, std::cos(a), -std::sin(a), 0.0, std::sin(a), std::cos(a)},
                    torch::kFloat64)
          .view({3, 3});
  auto ry =
      torch::tensor({std::cos(b), 0.0, std::sin(b), 0.0, 1.0, 0.0, -std::sin(b), 0.0, std::cos(b)},
                    torch::kFloat64)
          .view({3, 3});
  auto rz =
      torch::tensor({std::cos(c), -std::sin(c), 0.0, std::sin(c), std::cos(c), 0.0, 0.0, 0.0, 1.0},
                    torch::kFloat64)
          .view({3, 3});
  const double s = uniform(1.0 - options.scaleRange, 1.0 + options.scaleRange);
  auto linear = torch::matmul(torch::matmul(rx, ry), rz) / s;
  auto shift = (torch::rand({3, 1}, torch::kFloat64) * 2.0 - 1.0) *
               (2.0 * options.translationFraction); // normalised coordinates span 2
  return torch::cat({linear, shift}, 1).unsqueeze(0).to(torch::kFloat32); // [1,3,4]
}

torch::Tensor minMaxGamma(const torch::Tensor& image, double gamma)
{
  const auto low = image.min(), high = image.max();
  const auto range = (high - low).clamp_min(1e-6);
  return ((image - low) / range).pow(gamma) * range + low;
}
} // namespace

torch::Tensor gaussianBlur(const torch::Tensor& image, double sigma)
{
  const int radius = std::max(1, static_cast<int>(std::ceil(2.0 * sigma)));
  auto x = torch::arange(-radius, radius + 1, torch::kFloat32);
  auto kernel = torch::exp(-(x * x) / (2.0 * sigma * sigma));
  kernel = kernel / kernel.sum();
  auto out = image;
  namespace F = torch::nn::functional;
  out = F::conv3d(
      F::pad(out, F::PadFuncOptions({0, 0, 0, 0, radius, radius}).mode(torch::kReplicate)),
      kernel.view({1, 1, -1, 1, 1}));
  out = F::conv3d(
      F::pad(out, F::PadFuncOptions({0, 0, radius, radius, 0, 0}).mode(torch::kReplicate)),
      kernel.view({1, 1, 1, -1, 1}));
  out = F::conv3d(
      F::pad(out, F::PadFuncOptions({radius, radius, 0, 0, 0, 0}).mode(torch::kReplicate)),
      kernel.view({1, 1, 1, 1, -1}));
  return out;
}

AugmentOptions queryAugmentOptions()
{
  AugmentOptions options;
  options.biasFieldMax = 0.2;
  return options;
}

void augmentInPlace(torch::Tensor& image, torch::Tensor& masks, const AugmentOptions& options)
{
  namespace F = torch::nn::functional;
  torch::NoGradGuard noGrad;
  const auto theta = randomAffine(options);
  const auto grid = F::affine_grid(theta, image.sizes(), /*align_corners=*/false);
  const auto sample =
      [&](const torch::Tensor& volume, F::GridSampleFuncOptions::padding_mode_t padding)
  {
    return F::grid_sample(volume, grid.expand({volume.size(0), -1, -1, -1, -1}),
                          F::GridSampleFuncOptions()
                              .mode(torch::kBilinear)
                              .padding_mode(padding)
                              .align_corners(false));
  };
  image = sample(image, torch::kBorder);
  masks = (sample(masks.to(torch::kFloat32), torch::kZeros) >= 0.5).to(torch::kFloat32);

  // Intensity: gamma and contrast, brightness, blur, noise (the paper's ranges, in z-score units).
  image = minMaxGamma(image, uniform(1.0 - options.gammaRange, 1.0 + options.gammaRange));
  const auto mean = image.mean();
  image = (image - mean) * uniform(1.0 - options.gammaRange, 1.0 + options.gammaRange) + mean;
  image = image * uniform(1.0 - options.brightnessRange, 1.0 + options.brightnessRange) +
          uniform(-1.0, 1.0) * options.brightnessShift;
  if (chance(options.blurProbability))
  {
    image = gaussianBlur(image, uniform(0.7, 1.3));
  }
  if (options.biasFieldMax > 0.0)
  {
    auto coarse = torch::rand({1, 1, 3, 3, 3}) * 2.0 - 1.0;
    auto field =
        F::interpolate(coarse, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>(image.sizes().slice(2).vec()))
                                   .mode(torch::kTrilinear)
                                   .align_corners(true));
    image = image * (1.0 + options.biasFieldMax * field);
  }
  image = image + torch::randn_like(image) * uniform(0.0, options.noiseMax);
  image = image.contiguous();
  masks = masks.contiguous();
}
} // namespace iris::inference::training
