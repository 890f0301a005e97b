#include "inference/training/SyntheticTasks.h"

#include "inference/training/Augment.h"

namespace iris::inference::training
{
namespace
{
double uniform(double low, double high)
{
  return low + (high - low) * torch::rand({1}, torch::kFloat64).item<double>();
}

struct BlobKind
{
  double radiusLow, radiusHigh; // fraction of the edge
  double intensity;             // offset over the background
  double roughness;             // amplitude of its own texture
};

BlobKind randomKind()
{
  const double radius = uniform(0.08, 0.22);
  return {radius * 0.8, radius * 1.2, uniform(-2.5, 2.5), uniform(0.0, 1.0)};
}

// A random ellipsoid with a wobbly surface, as a {0,1} [E,E,E] mask.
torch::Tensor blobMask(int64_t edge, const BlobKind& kind, const torch::Tensor& coords)
{
  const double margin = kind.radiusHigh + 0.05;
  auto centre = torch::rand({3, 1, 1, 1}) * (1.0 - 2.0 * margin) + margin;
  auto radii = torch::rand({3, 1, 1, 1}) * (kind.radiusHigh - kind.radiusLow) + kind.radiusLow;
  auto distance = (((coords - centre) / radii).pow(2)).sum(0);
  namespace F = torch::nn::functional;
  auto wobble = F::interpolate(torch::randn({1, 1, 4, 4, 4}),
                               F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{edge, edge, edge})
                                   .mode(torch::kTrilinear)
                                   .align_corners(true))[0][0];
  return (distance + 0.3 * wobble < 1.0).to(torch::kFloat32);
}

SyntheticPair makeScene(int64_t edge, const BlobKind& target, const std::vector<BlobKind>& others)
{
  auto axis = (torch::arange(edge, torch::kFloat32) + 0.5) / static_cast<double>(edge);
  auto grids = torch::meshgrid({axis, axis, axis}, "ij");
  auto coords = torch::stack({grids[0], grids[1], grids[2]}); // [3,E,E,E]

  auto image = gaussianBlur(torch::randn({1, 1, edge, edge, edge}), uniform(1.0, 3.0))[0][0] *
               uniform(0.5, 1.5);
  image = image + torch::randn({edge, edge, edge}) * uniform(0.05, 0.3);
  auto mask = torch::zeros({edge, edge, edge});
  const auto paint = [&](const BlobKind& kind, bool isTarget)
  {
    auto blob = blobMask(edge, kind, coords);
    auto texture = torch::randn({edge, edge, edge}) * kind.roughness;
    image = torch::where(blob > 0, image * 0.3 + kind.intensity + texture, image);
    mask = isTarget ? torch::maximum(mask, blob) : mask * (1.0 - blob);
  };
  const int targets = static_cast<int>(uniform(1.0, 2.99));
  for (int n = 0; n < targets; ++n)
  {
    paint(target, true);
  }
  for (const auto& kind : others)
  {
    paint(kind, false);
  }
  if (!mask.any().item<bool>()) // a distractor covered every target: paint one on top
  {
    paint(target, true);
  }
  image = (image - image.mean()) / image.std().clamp_min(1e-6);
  return {image.view({1, 1, edge, edge, edge}).contiguous(),
          mask.view({1, 1, edge, edge, edge}).contiguous()};
}
} // namespace

SyntheticTask makeSyntheticTask(int64_t edge)
{
  const auto target = randomKind();
  std::vector<BlobKind> others;
  const int distractors = static_cast<int>(uniform(1.0, 3.99));
  for (int n = 0; n < distractors; ++n)
  {
    auto kind = randomKind();
    // Distractors must differ from the target in brightness or in texture.
    if (std::abs(kind.intensity - target.intensity) < 0.8 &&
        std::abs(kind.roughness - target.roughness) < 0.4)
    {
      kind.intensity = target.intensity + (target.intensity > 0 ? -1.5 : 1.5);
    }
    others.push_back(kind);
  }
  SyntheticTask task;
  task.reference = makeScene(edge, target, others);
  task.query = makeScene(edge, target, others);
  return task;
}
} // namespace iris::inference::training
