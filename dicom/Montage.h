#pragma once

#include "dicom/Png.h"
#include "dicom/Volume.h"

#include <array>
#include <map>

namespace iris::dicom
{
using Rgb = std::array<uint8_t, 3>;

struct MontageOptions
{
  size_t slices = 12;
  size_t columns = 4;
  size_t minimumTileWidth = 192;   // small volumes are enlarged to at least this many pixels
  double overlayOpacity = 0.4;     // inside a label; outlines are drawn opaque
  std::map<uint16_t, Rgb> colours; // label value -> colour; others take a fixed palette
};

// Axial tiles of `image` (the voxel axis closest to patient z is the slice axis; patient left on
// the right, anterior up), evenly spread over the labelled slices when `labels` has any, else
// over the whole volume, with the labels blended on top. Grey levels span the 1st–99th
// percentile. Throws std::invalid_argument when labels and image differ in size.
RgbImage renderMontage(const ImageVolume& image, const LabelVolume* labels,
                       const MontageOptions& options = {});

// The colour a label gets when MontageOptions::colours does not name it.
Rgb paletteColour(uint16_t label);
} // namespace iris::dicom
