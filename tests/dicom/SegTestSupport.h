#pragma once

#include "dicom/SegSource.h"
#include "dicom/SegmentDescription.h"
#include "dicom/Volume.h"
#include "tests/support/Dicom3Tools.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace iris::test
{
// A source series from ../shared/data, e.g. "dcmqi_seg/ct-3slice".
dicom::SegSource sharedSegSource(const std::string& relativePath);

// Deterministic labels 0..segmentCount on `grid`: every segment occurs, and each segment is
// absent from every third slice, so empty frames exist.
dicom::LabelVolume syntheticLabels(const dicom::VolumeGeometry& grid, uint16_t segmentCount);

// `count` segments with label values 1..count, known and unknown structure names mixed.
std::vector<dicom::SegmentDescription> testSegments(uint16_t count);

// The "Error" lines dcentvfy reports for a SEG and its source files (patient, study and series
// attributes that disagree between them); empty when consistent.
std::vector<std::string> dcentvfyErrors(const std::filesystem::path& seg,
                                        const std::filesystem::path& seriesFolder);

// The SEG decoded by pydicom (SegIndependentDecode.py): a label volume on `source`'s grid whose
// voxels hold the number of the segment covering them (the highest where segments overlap),
// and optionally each segment's voxel count.
dicom::LabelVolume decodeIndependently(const std::filesystem::path& seg,
                                       const dicom::SegSource& source,
                                       std::map<uint16_t, size_t>* voxelsPerSegment = nullptr);

// `labels` with each label value replaced by its segment number (position in `segments`, 1-based).
dicom::LabelVolume toSegmentNumbers(const dicom::LabelVolume& labels,
                                    const std::vector<dicom::SegmentDescription>& segments);
} // namespace iris::test
