#include "inference/Intensity.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace iris::inference
{
namespace
{
constexpr double kCtClipLow = -990.0;
constexpr double kCtClipHigh = 500.0;
constexpr int64_t kQuantileSamples = 4'000'000;

std::string upper(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}
} // namespace

double sampledQuantile(const torch::Tensor& values, double q)
{
  auto flat = values.reshape({-1});
  if (flat.numel() == 0)
  {
    throw std::invalid_argument("Quantile of an empty tensor");
  }
  if (flat.numel() > kQuantileSamples)
  {
    const int64_t stride = (flat.numel() + kQuantileSamples - 1) / kQuantileSamples;
    flat = flat.slice(0, 0, flat.numel(), stride);
  }
  const int64_t rank = std::clamp<int64_t>(std::llround(q * static_cast<double>(flat.numel() - 1)),
                                           0, flat.numel() - 1);
  return std::get<0>(flat.to(torch::kFloat32).kthvalue(rank + 1)).item<double>();
}

IntensityModality intensityModality(const std::string& name, const torch::Tensor& image)
{
  const std::string key = upper(name);
  if (key == "CT")
  {
    return IntensityModality::CT;
  }
  if (key == "PT" || key == "PET")
  {
    return IntensityModality::PET;
  }
  if (key == "AUTO" || key.empty())
  {
    return sampledQuantile(image, 0.01) <= -500.0 ? IntensityModality::CT : IntensityModality::MR;
  }
  return IntensityModality::MR;
}

std::string modalityName(IntensityModality modality)
{
  switch (modality)
  {
  case IntensityModality::CT:
    return "CT";
  case IntensityModality::PET:
    return "PET";
  default:
    return "MR";
  }
}

int64_t replaceNonFinite(torch::Tensor& image)
{
  const auto finite = torch::isfinite(image);
  const int64_t bad = image.numel() - finite.sum().item<int64_t>();
  if (bad == 0)
  {
    return 0;
  }
  if (bad == image.numel())
  {
    throw std::invalid_argument("Every voxel of the image is NaN or infinite");
  }
  const double lowest = image.masked_select(finite).min().item<double>();
  image = torch::where(finite, image, torch::full({}, lowest, image.options()));
  return bad;
}

torch::Tensor normaliseIntensity(const torch::Tensor& image, IntensityModality modality,
                                 IntensityStatistics* statistics)
{
  IntensityStatistics stats;
  if (modality == IntensityModality::CT)
  {
    stats.clipLow = kCtClipLow;
    stats.clipHigh = kCtClipHigh;
  }
  else
  {
    stats.clipLow = sampledQuantile(image, 0.02);
    stats.clipHigh = sampledQuantile(image, 0.98);
  }
  auto clipped = image.to(torch::kFloat32).clamp(stats.clipLow, stats.clipHigh);
  stats.mean = clipped.mean().item<double>();
  stats.std = clipped.numel() > 1 ? clipped.std(false).item<double>() : 0.0;
  auto normalised = clipped - stats.mean;
  if (stats.std > 1e-6)
  {
    normalised = normalised / stats.std;
  }
  if (statistics)
  {
    *statistics = stats;
  }
  return normalised;
}
} // namespace iris::inference
