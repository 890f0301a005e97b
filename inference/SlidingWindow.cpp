#include "inference/SlidingWindow.h"

#include "inference/Crop.h"
#include "inference/SegmentationError.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace iris::inference
{
std::vector<int64_t> windowStarts(int64_t n, int64_t window, int64_t step)
{
  std::vector<int64_t> starts;
  for (int64_t start = 0; start + window < n; start += step)
  {
    starts.push_back(start);
  }
  starts.push_back(std::max<int64_t>(0, n - window));
  return starts;
}

torch::Tensor gaussianWeights(const SlidingWindowOptions& options)
{
  std::vector<torch::Tensor> axes;
  for (int dim = 0; dim < 3; ++dim)
  {
    const auto n = options.patch[dim];
    const double centre = (static_cast<double>(n) - 1.0) / 2.0;
    const double sigma = options.sigmaScale * static_cast<double>(n);
    const auto x = torch::arange(n, torch::kFloat64);
    axes.push_back(torch::exp(-(x - centre).pow(2) / (2.0 * sigma * sigma)));
  }
  const auto g = axes[0].view({-1, 1, 1}) * axes[1].view({1, -1, 1}) * axes[2].view({1, 1, -1});
  return (g / g.max()).to(torch::kFloat32);
}

torch::Tensor slidingWindow(const torch::Tensor& image, const WindowPredictor& predictor,
                            const SlidingWindowOptions& options)
{
  if (image.dim() != 3 || image.numel() == 0)
  {
    throw SegmentationError("The sliding window expects a non-empty [D, H, W] image");
  }
  const Index3 shape{image.size(0), image.size(1), image.size(2)};
  const auto padded = padToAtLeast(image.to(torch::kCPU, torch::kFloat32), options.patch);
  std::array<std::vector<int64_t>, 3> starts;
  for (int dim = 0; dim < 3; ++dim)
  {
    const auto step = std::max<int64_t>(
        1, std::llround(static_cast<double>(options.patch[dim]) * (1.0 - options.overlap)));
    starts[dim] = windowStarts(padded.size(dim), options.patch[dim], step);
  }
  const auto gaussian = gaussianWeights(options);
  torch::Tensor sum; // [K, D, H, W], allocated once K is known
  auto weight = torch::zeros(padded.sizes(), torch::kFloat32);
  for (const int64_t z : starts[0])
  {
    for (const int64_t y : starts[1])
    {
      for (const int64_t x : starts[2])
      {
        const auto window = padded.slice(0, z, z + options.patch[0])
                                .slice(1, y, y + options.patch[1])
                                .slice(2, x, x + options.patch[2]);
        const auto probabilities =
            predictor(window.unsqueeze(0).unsqueeze(0).contiguous(), Index3{z, y, x})
                .to(torch::kCPU);
        if (probabilities.dim() != 5 || probabilities.size(0) != 1 ||
            !probabilities.sizes().slice(2).equals(window.sizes()))
        {
          throw SegmentationError("The window predictor returned a tensor of the wrong shape");
        }
        if (!sum.defined())
        {
          sum =
              torch::zeros({probabilities.size(1), padded.size(0), padded.size(1), padded.size(2)},
                           torch::kFloat32);
        }
        sum.slice(1, z, z + options.patch[0])
            .slice(2, y, y + options.patch[1])
            .slice(3, x, x + options.patch[2])
            .add_(probabilities[0].to(torch::kFloat32) * gaussian);
        weight.slice(0, z, z + options.patch[0])
            .slice(1, y, y + options.patch[1])
            .slice(2, x, x + options.patch[2])
            .add_(gaussian);
      }
    }
  }
  // Every voxel lies in some window, so the weight is positive; the reference's 1e-8 floor would
  // dim the outermost corners, where the Gaussian product falls below it.
  const auto blended = sum / weight.clamp_min(std::numeric_limits<float>::min());
  return blended.slice(1, 0, shape[0]).slice(2, 0, shape[1]).slice(3, 0, shape[2]).contiguous();
}
} // namespace iris::inference
