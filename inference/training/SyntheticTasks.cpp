#include "inference/training/SyntheticTasks.h"

#include "inference/training/Augment.h"

#include <algorithm>
#include <vector>

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

// A rule the reference shows: one class (a kind of blob), or two when splitAxis >= 0 (the
// blob's halves below and above its centre along that axis).
struct ClassRule
{
  BlobKind kind;
  int splitAxis = -1;
  int classes() const { return splitAxis >= 0 ? 2 : 1; }
};

bool distinct(const BlobKind& a, const BlobKind& b)
{
  return std::abs(a.intensity - b.intensity) >= 0.8 || std::abs(a.roughness - b.roughness) >= 0.4;
}

// A kind that differs from every kind in `taken` in brightness or in texture.
BlobKind distinctKind(const std::vector<BlobKind>& taken)
{
  BlobKind kind{};
  for (int attempt = 0; attempt < 50; ++attempt)
  {
    const double radius = uniform(0.08, 0.22);
    kind = {radius * 0.8, radius * 1.2, uniform(-2.5, 2.5), uniform(0.0, 1.0)};
    if (std::all_of(taken.begin(), taken.end(),
                    [&](const BlobKind& other) { return distinct(kind, other); }))
    {
      break;
    }
  }
  return kind; // after 50 misses, a near twin: rare, and only a harder task
}

struct Blob
{
  torch::Tensor mask;   // {0,1} [E,E,E]
  torch::Tensor centre; // [3,1,1,1] in [0,1]
};

// A random ellipsoid with a wobbly surface.
Blob randomBlob(int64_t edge, const BlobKind& kind, const torch::Tensor& coords)
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
  return {(distance + 0.3 * wobble < 1.0).to(torch::kFloat32), centre};
}

class Scene
{
public:
  explicit Scene(int64_t edge, int64_t classes) : edge_(edge)
  {
    auto axis = (torch::arange(edge, torch::kFloat32) + 0.5) / static_cast<double>(edge);
    auto grids = torch::meshgrid({axis, axis, axis}, "ij");
    coords_ = torch::stack({grids[0], grids[1], grids[2]}); // [3,E,E,E]
    image_ = gaussianBlur(torch::randn({1, 1, edge, edge, edge}), uniform(1.0, 3.0))[0][0] *
             uniform(0.5, 1.5);
    image_ = image_ + torch::randn({edge, edge, edge}) * uniform(0.05, 0.3);
    masks_ = torch::zeros({classes, edge, edge, edge});
  }

  // Paints a blob of `kind` over everything so far; it belongs to class `first` (and
  // `first` + 1 above its centre when split), or to no class when first < 0.
  void paint(const BlobKind& kind, int64_t first, int splitAxis = -1)
  {
    const auto blob = randomBlob(edge_, kind, coords_);
    auto texture = torch::randn({edge_, edge_, edge_}) * kind.roughness;
    image_ = torch::where(blob.mask > 0, image_ * 0.3 + kind.intensity + texture, image_);
    masks_ = masks_ * (1.0 - blob.mask);
    if (first < 0)
    {
      return;
    }
    if (splitAxis < 0)
    {
      masks_[first] = blob.mask;
      return;
    }
    const auto above = (coords_[splitAxis] >= blob.centre[splitAxis]).to(torch::kFloat32);
    masks_[first] = blob.mask * (1.0 - above);
    masks_[first + 1] = blob.mask * above;
  }

  bool classEmpty(int64_t index) const { return !masks_[index].any().item<bool>(); }

  SyntheticPair finish() const
  {
    const auto image = (image_ - image_.mean()) / image_.std().clamp_min(1e-6);
    return {image.view({1, 1, edge_, edge_, edge_}).contiguous(), masks_.unsqueeze(0).contiguous()};
  }

private:
  int64_t edge_;
  torch::Tensor coords_, image_, masks_;
};

SyntheticPair makeScene(int64_t edge, const std::vector<ClassRule>& rules,
                        const std::vector<BlobKind>& distractors, int64_t classes)
{
  Scene scene(edge, classes);
  std::vector<int64_t> firstClass;
  int64_t next = 0;
  for (const auto& rule : rules)
  {
    firstClass.push_back(next);
    next += rule.classes();
  }
  // Unmarked blobs and the classes' blobs in a random order, so that either may hide part of
  // the other.
  const auto shuffled = torch::randperm(static_cast<int64_t>(rules.size() + distractors.size()));
  for (int64_t n = 0; n < shuffled.size(0); ++n)
  {
    const auto item = static_cast<size_t>(shuffled[n].item<int64_t>());
    if (item >= rules.size())
    {
      scene.paint(distractors[item - rules.size()], -1);
      continue;
    }
    const auto& rule = rules[item];
    const int copies = rule.splitAxis >= 0 ? 1 : static_cast<int>(uniform(1.0, 2.99));
    for (int copy = 0; copy < copies; ++copy)
    {
      scene.paint(rule.kind, firstClass[item], rule.splitAxis);
    }
  }
  // A class hidden under later blobs is painted again on top; a few rounds always suffice in
  // practice because each repaint covers at most a part of one other class.
  for (int round = 0; round < 4; ++round)
  {
    bool repainted = false;
    for (size_t item = 0; item < rules.size(); ++item)
    {
      const auto first = firstClass[item];
      if (scene.classEmpty(first) || (rules[item].splitAxis >= 0 && scene.classEmpty(first + 1)))
      {
        scene.paint(rules[item].kind, first, rules[item].splitAxis);
        repainted = true;
      }
    }
    if (!repainted)
    {
      break;
    }
  }
  return scene.finish();
}
} // namespace

SyntheticTask makeSyntheticTask(int64_t edge, int maxClasses)
{
  const int classes = static_cast<int>(uniform(1.0, std::max(1, maxClasses) + 0.99));
  std::vector<ClassRule> rules;
  std::vector<BlobKind> kinds;
  int64_t total = 0;
  if (classes >= 2 && uniform(0.0, 1.0) < 0.5)
  {
    auto kind = distinctKind(kinds);
    // Split blobs are larger, so that each half is a structure of its own.
    kind.radiusLow *= 1.3;
    kind.radiusHigh = std::min(0.3, kind.radiusHigh * 1.3);
    rules.push_back({kind, static_cast<int>(uniform(0.0, 2.99))});
    kinds.push_back(kind);
    total = 2;
  }
  while (total < classes)
  {
    kinds.push_back(distinctKind(kinds));
    rules.push_back({kinds.back(), -1});
    ++total;
  }
  std::vector<BlobKind> distractors;
  const int distractorCount = static_cast<int>(uniform(1.0, 3.99));
  for (int n = 0; n < distractorCount; ++n)
  {
    distractors.push_back(distinctKind(kinds));
    kinds.push_back(distractors.back());
  }
  SyntheticTask task;
  task.reference = makeScene(edge, rules, distractors, total);
  task.query = makeScene(edge, rules, distractors, total);
  return task;
}
} // namespace iris::inference::training
