#pragma once

#include "dicom/SeriesVolume.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

class DcmDataset;

namespace iris::dicom
{
// What a SEG copies from its source beyond the SeriesVolume: the patient and study modules (from
// one source instance) and, where known, the source's own position and orientation strings, so
// frames carry exactly the source's IPP/IOP text (viewers match frames to images by them).
struct SegSourceAttributes
{
  std::shared_ptr<DcmDataset> studyDataset; // one source instance; its pixel data is not needed
  std::vector<std::string> imagePositions;  // "x\\y\\z" of slices[k]; empty: computed
  std::string imageOrientation;             // six values; empty: computed from the geometry
  std::string sliceThickness;               // empty: the slice spacing
};

// Attributes from one source instance (pixel data is not read). The position strings of a
// single file cannot describe the stack, so `imagePositions` stays empty.
SegSourceAttributes segSourceAttributesFromFile(const std::filesystem::path& instance);
SegSourceAttributes segSourceAttributesFromBuffer(const std::vector<uint8_t>& instance);

// A source series as the SEG writer and reader need it: geometry, slice references and
// attributes, but no voxels (series.image.voxels stays empty).
struct SegSource
{
  SeriesVolume series;
  SegSourceAttributes attributes;
};

// Reads the headers of every file in `seriesDirectory` (one single-frame series), sorts the
// slices along the normal and derives the grid. Throws SegReferenceError when the folder does
// not hold one consistent single-frame image series.
SegSource loadSegSource(const std::filesystem::path& seriesDirectory);
} // namespace iris::dicom
