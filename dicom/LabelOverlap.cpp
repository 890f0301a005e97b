#include "dicom/LabelOverlap.h"

#include <map>
#include <stdexcept>
#include <string>

namespace iris::dicom
{
double LabelOverlap::dice() const
{
  const size_t total = reference + predicted;
  return total == 0 ? 1.0 : 2.0 * static_cast<double>(intersection) / static_cast<double>(total);
}

namespace
{
void requireSameSize(const LabelVolume& reference, const LabelVolume& predicted)
{
  if (reference.geometry.size != predicted.geometry.size ||
      reference.voxels.size() != predicted.voxels.size())
  {
    const auto describe = [](const LabelVolume& v)
    {
      return std::to_string(v.geometry.size[0]) + "x" + std::to_string(v.geometry.size[1]) + "x" +
             std::to_string(v.geometry.size[2]);
    };
    throw std::invalid_argument("label maps differ in size: reference " + describe(reference) +
                                ", predicted " + describe(predicted));
  }
}
} // namespace

std::vector<LabelOverlap> compareLabels(const LabelVolume& reference, const LabelVolume& predicted)
{
  requireSameSize(reference, predicted);
  std::map<uint16_t, LabelOverlap> byLabel;
  const auto entry = [&byLabel](uint16_t label) -> LabelOverlap&
  {
    LabelOverlap& overlap = byLabel[label];
    overlap.label = label;
    return overlap;
  };
  for (size_t n = 0; n < reference.voxels.size(); ++n)
  {
    const uint16_t expected = reference.voxels[n];
    const uint16_t found = predicted.voxels[n];
    if (expected != 0)
      ++entry(expected).reference;
    if (found != 0)
      ++entry(found).predicted;
    if (expected != 0 && expected == found)
      ++entry(expected).intersection;
  }
  std::vector<LabelOverlap> result;
  for (const auto& [label, overlap] : byLabel)
    result.push_back(overlap);
  return result;
}

LabelOverlap compareForeground(const LabelVolume& reference, const LabelVolume& predicted)
{
  requireSameSize(reference, predicted);
  LabelOverlap overlap;
  for (size_t n = 0; n < reference.voxels.size(); ++n)
  {
    const bool expected = reference.voxels[n] != 0, found = predicted.voxels[n] != 0;
    overlap.reference += expected;
    overlap.predicted += found;
    overlap.intersection += expected && found;
  }
  return overlap;
}
} // namespace iris::dicom
