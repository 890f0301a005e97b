#include "inference/Crop.h"

#include "inference/Postprocess.h"

#include <algorithm>
#include <cmath>

namespace iris::inference
{
namespace
{
torch::Tensor dilate(const torch::Tensor& mask)
{
  return torch::max_pool3d(mask, {3, 3, 3}, {1, 1, 1}, {1, 1, 1});
}

torch::Tensor erode(const torch::Tensor& mask)
{
  return -torch::max_pool3d(-mask, {3, 3, 3}, {1, 1, 1}, {1, 1, 1});
}
} // namespace

Box foregroundBox(const torch::Tensor& mask)
{
  Box box;
  const auto present = mask != 0;
  if (!present.any().item<bool>())
  {
    return box;
  }
  for (int dim = 0; dim < 3; ++dim)
  {
    std::vector<int64_t> others;
    for (int other = 0; other < 3; ++other)
    {
      if (other != dim)
      {
        others.push_back(other);
      }
    }
    const auto along = torch::nonzero(present.any(others[1]).any(others[0])).reshape({-1});
    box.begin[dim] = along.min().item<int64_t>();
    box.end[dim] = along.max().item<int64_t>() + 1;
  }
  return box;
}

Box bodyBox(const torch::Tensor& image, IntensityModality modality, const Index3& margin)
{
  torch::Tensor body;
  if (modality == IntensityModality::CT)
  {
    body = image > -500.0;
  }
  else
  {
    const auto magnitude = image.abs();
    const double threshold = std::max(1e-3 * sampledQuantile(magnitude, 0.99), 1e-6);
    body = magnitude > threshold;
  }
  auto closed = body.to(torch::kFloat32).unsqueeze(0).unsqueeze(0);
  closed = erode(erode(dilate(dilate(closed))));
  auto mask = closed.squeeze(0).squeeze(0).to(torch::kUInt8).contiguous();
  const Index3 shape{image.size(0), image.size(1), image.size(2)};
  std::vector<uint8_t> voxels(mask.data_ptr<uint8_t>(), mask.data_ptr<uint8_t>() + mask.numel());
  Box whole{{0, 0, 0}, shape};
  if (keepLargestComponent(voxels, {static_cast<size_t>(shape[2]), static_cast<size_t>(shape[1]),
                                    static_cast<size_t>(shape[0])}) == 0)
  {
    return whole;
  }
  const auto largest =
      torch::from_blob(voxels.data(), {shape[0], shape[1], shape[2]}, torch::kUInt8);
  Box box = foregroundBox(largest);
  for (int dim = 0; dim < 3; ++dim)
  {
    box.begin[dim] = std::max<int64_t>(0, box.begin[dim] - margin[dim]);
    box.end[dim] = std::min<int64_t>(shape[dim], box.end[dim] + margin[dim]);
  }
  return box;
}

Box centredBox(const Box& foreground, const Index3& patch)
{
  Box box;
  for (int dim = 0; dim < 3; ++dim)
  {
    const auto centre = static_cast<int64_t>(
        std::llround((foreground.begin[dim] + (foreground.end[dim] - 1)) / 2.0));
    box.begin[dim] = centre - patch[dim] / 2;
    box.end[dim] = box.begin[dim] + patch[dim];
  }
  return box;
}

torch::Tensor extractBox(const torch::Tensor& values, const Box& box)
{
  const int64_t lead = values.dim() - 3;
  auto shape = values.sizes().vec();
  for (int dim = 0; dim < 3; ++dim)
  {
    shape[lead + dim] = box.end[dim] - box.begin[dim];
  }
  auto result = torch::zeros(shape, values.options());
  auto source = values;
  auto target = result;
  for (int dim = 0; dim < 3; ++dim)
  {
    const int64_t n = values.size(lead + dim);
    const int64_t from = std::clamp<int64_t>(box.begin[dim], 0, n);
    const int64_t to = std::clamp<int64_t>(box.end[dim], 0, n);
    if (to <= from)
    {
      return result;
    }
    source = source.slice(lead + dim, from, to);
    target = target.slice(lead + dim, from - box.begin[dim], to - box.begin[dim]);
  }
  target.copy_(source);
  return result;
}

torch::Tensor padToAtLeast(const torch::Tensor& values, const Index3& minimum)
{
  const int64_t lead = values.dim() - 3;
  Box box;
  for (int dim = 0; dim < 3; ++dim)
  {
    box.end[dim] = std::max(values.size(lead + dim), minimum[dim]);
  }
  return box.size() == Index3{values.size(lead), values.size(lead + 1), values.size(lead + 2)}
             ? values
             : extractBox(values, box);
}
} // namespace iris::inference
