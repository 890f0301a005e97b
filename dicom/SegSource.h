#pragma once

#include "dicom/SeriesOptions.h"
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

// Attributes built from the patient and study fields of `series` alone (no source instance at
// hand). Without SpecificCharacterSet, so prefer a source instance when names may not be ASCII.
SegSourceAttributes segSourceAttributesFromSeries(const SeriesVolume& series);

// A source series as the SEG writer and reader need it: the assembled series and the attributes
// the SEG copies.
struct SegSource
{
  SeriesVolume series;
  SegSourceAttributes attributes;
};

// Reads the series in `seriesDirectory` with readSeriesFolder (its DicomError subclasses pass
// through) and keeps the source's own position and orientation text where it matches the grid.
SegSource loadSegSource(const std::filesystem::path& seriesDirectory,
                        const SeriesReadOptions& options = {});
} // namespace iris::dicom
