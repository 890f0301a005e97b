#include "dicom/Montage.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace iris::dicom
{
namespace
{
struct ViewAxes
{
  int slice = 2, horizontal = 0, vertical = 1;
  bool flipHorizontal = false, flipVertical = false;
};

ViewAxes chooseViewAxes(const VolumeGeometry& geometry)
{
  ViewAxes view;
  const auto alignment = [&geometry](int axis, int patient)
  { return std::fabs(geometry.axes[axis][patient]); };
  view.slice = 0;
  for (int axis = 1; axis < 3; ++axis)
    if (alignment(axis, 2) > alignment(view.slice, 2))
      view.slice = axis;
  const int first = view.slice == 0 ? 1 : 0;
  const int second = 3 - view.slice - first;
  view.horizontal = alignment(first, 0) >= alignment(second, 0) ? first : second;
  view.vertical = 3 - view.slice - view.horizontal;
  // LPS: +x is patient left (shown on the right), -y is anterior (shown on top).
  view.flipHorizontal = geometry.axes[view.horizontal][0] < 0;
  view.flipVertical = geometry.axes[view.vertical][1] < 0;
  return view;
}

std::pair<float, float> greyWindow(const std::vector<float>& voxels)
{
  const size_t stride = std::max<size_t>(1, voxels.size() / 1000000);
  std::vector<float> sample;
  for (size_t n = 0; n < voxels.size(); n += stride)
    if (std::isfinite(voxels[n]))
      sample.push_back(voxels[n]);
  if (sample.empty())
    return {0.0f, 1.0f};
  const auto at = [&sample](double fraction)
  {
    auto position = sample.begin() + static_cast<std::ptrdiff_t>(fraction * (sample.size() - 1));
    std::nth_element(sample.begin(), position, sample.end());
    return *position;
  };
  const float low = at(0.01), high = at(0.99);
  return {low, high > low ? high : low + 1.0f};
}

std::vector<size_t> chooseSlices(const VolumeGeometry& geometry, const LabelVolume* labels,
                                 int sliceAxis, size_t wanted)
{
  size_t first = 0, last = geometry.size[sliceAxis] - 1;
  if (labels)
  {
    size_t low = geometry.size[sliceAxis], high = 0;
    for (size_t k = 0; k < geometry.size[2]; ++k)
      for (size_t j = 0; j < geometry.size[1]; ++j)
        for (size_t i = 0; i < geometry.size[0]; ++i)
          if (labels->at(i, j, k) != 0)
          {
            const size_t position = sliceAxis == 0 ? i : sliceAxis == 1 ? j : k;
            low = std::min(low, position);
            high = std::max(high, position);
          }
    if (low <= high)
      first = low, last = high;
  }
  const size_t count = std::min(wanted, last - first + 1);
  std::vector<size_t> slices;
  for (size_t n = 0; n < count; ++n)
    slices.push_back(first + (count == 1 ? (last - first) / 2 : n * (last - first) / (count - 1)));
  return slices;
}
} // namespace

Rgb paletteColour(uint16_t label)
{
  static const Rgb palette[] = {{230, 25, 75},  {60, 180, 75},   {255, 225, 25}, {0, 130, 200},
                                {245, 130, 48}, {145, 30, 180},  {70, 240, 240}, {240, 50, 230},
                                {210, 245, 60}, {250, 190, 212}, {0, 128, 128},  {170, 110, 40}};
  return palette[(label + 11) % 12];
}

RgbImage renderMontage(const ImageVolume& image, const LabelVolume* labels,
                       const MontageOptions& options)
{
  const VolumeGeometry& geometry = image.geometry;
  if (image.voxels.empty() || image.voxels.size() != geometry.voxelCount())
    throw std::invalid_argument("montage: the image has no voxels");
  if (labels && labels->geometry.size != geometry.size)
    throw std::invalid_argument("montage: the labels' grid differs in size from the image's");

  const ViewAxes view = chooseViewAxes(geometry);
  const auto [low, high] = greyWindow(image.voxels);
  const auto slices =
      chooseSlices(geometry, labels, view.slice, std::max<size_t>(1, options.slices));

  // Square display pixels: the finer in-plane spacing, enlarged for small volumes.
  const double widthMm = geometry.size[view.horizontal] * geometry.spacing[view.horizontal];
  const double heightMm = geometry.size[view.vertical] * geometry.spacing[view.vertical];
  double pixelMm = std::min(geometry.spacing[view.horizontal], geometry.spacing[view.vertical]);
  pixelMm = std::min(pixelMm, widthMm / static_cast<double>(options.minimumTileWidth));
  const size_t tileWidth = std::max<size_t>(1, static_cast<size_t>(std::lround(widthMm / pixelMm)));
  const size_t tileHeight =
      std::max<size_t>(1, static_cast<size_t>(std::lround(heightMm / pixelMm)));
  const size_t columns = std::max<size_t>(1, std::min(options.columns, slices.size()));
  const size_t rows = (slices.size() + columns - 1) / columns;
  const size_t gap = 2; // black lines between tiles
  RgbImage montage(columns * (tileWidth + gap) - gap, rows * (tileHeight + gap) - gap);

  const auto colourOf = [&options](uint16_t label)
  {
    const auto named = options.colours.find(label);
    return named != options.colours.end() ? named->second : paletteColour(label);
  };
  for (size_t tile = 0; tile < slices.size(); ++tile)
  {
    // Voxel under display pixel (x, y) of this tile, or none outside the tile.
    const auto voxelAt = [&](long x, long y) -> long
    {
      if (x < 0 || y < 0 || x >= static_cast<long>(tileWidth) || y >= static_cast<long>(tileHeight))
        return -1;
      size_t h =
          std::min(geometry.size[view.horizontal] - 1,
                   static_cast<size_t>((x + 0.5) * pixelMm / geometry.spacing[view.horizontal]));
      size_t v =
          std::min(geometry.size[view.vertical] - 1,
                   static_cast<size_t>((y + 0.5) * pixelMm / geometry.spacing[view.vertical]));
      if (view.flipHorizontal)
        h = geometry.size[view.horizontal] - 1 - h;
      if (view.flipVertical)
        v = geometry.size[view.vertical] - 1 - v;
      std::array<size_t, 3> ijk{};
      ijk[view.slice] = slices[tile];
      ijk[view.horizontal] = h;
      ijk[view.vertical] = v;
      return static_cast<long>(geometry.index(ijk[0], ijk[1], ijk[2]));
    };
    const auto labelAt = [&](long x, long y) -> uint16_t
    {
      const long voxel = voxelAt(x, y);
      return labels && voxel >= 0 ? labels->voxels[voxel] : 0;
    };
    const size_t left = (tile % columns) * (tileWidth + gap);
    const size_t top = (tile / columns) * (tileHeight + gap);
    for (long y = 0; y < static_cast<long>(tileHeight); ++y)
      for (long x = 0; x < static_cast<long>(tileWidth); ++x)
      {
        const long voxel = voxelAt(x, y);
        const float value = image.voxels[voxel];
        const double grey = std::isfinite(value)
                                ? std::clamp((value - low) / (high - low), 0.0f, 1.0f) * 255.0
                                : 0.0;
        uint8_t* out = montage.pixel(left + x, top + y);
        const uint16_t label = labelAt(x, y);
        if (label == 0)
        {
          out[0] = out[1] = out[2] = static_cast<uint8_t>(grey);
          continue;
        }
        const bool outline = labelAt(x - 1, y) != label || labelAt(x + 1, y) != label ||
                             labelAt(x, y - 1) != label || labelAt(x, y + 1) != label;
        const double opacity = outline ? 1.0 : options.overlayOpacity;
        const Rgb colour = colourOf(label);
        for (int c = 0; c < 3; ++c)
          out[c] = static_cast<uint8_t>(std::lround((1.0 - opacity) * grey + opacity * colour[c]));
      }
  }
  return montage;
}
} // namespace iris::dicom
