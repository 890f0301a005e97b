#pragma once

#include "dicom/SeriesOptions.h"
#include "dicom/SeriesVolume.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace iris::dicom
{
// One instance held in memory by the caller (e.g. fetched from Orthanc); `name` (an instance id
// or path) appears in error messages. The bytes must outlive the read call.
struct DicomBuffer
{
  std::string name;
  std::string_view bytes;
};

// Assembles one series into a float volume (values after Rescale Slope/Intercept, MONOCHROME1
// inverted to read like MONOCHROME2), sorted along the image normal, with each slice's source
// UIDs. Classic single-frame instances and enhanced multi-frame instances (per-frame functional
// groups) mix freely. Errors are DicomError subclasses: DicomReadError, NotAnImageError,
// MissingPixelDataError, UnsupportedTransferSyntaxError, UnsupportedPixelFormatError,
// VolumeTooLargeError, InconsistentSeriesError (with a SeriesProblem).
SeriesVolume readSeriesFiles(const std::vector<std::filesystem::path>& files,
                             const SeriesReadOptions& options = {});
SeriesVolume readSeriesBuffers(const std::vector<DicomBuffer>& instances,
                               const SeriesReadOptions& options = {});
// Every regular file directly in `folder` (not recursive; DICOMDIR and hidden files skipped).
SeriesVolume readSeriesFolder(const std::filesystem::path& folder,
                              const SeriesReadOptions& options = {});

// The files readSeriesFolder reads, sorted by name. Throws DicomReadError when the folder is
// missing or holds no files.
std::vector<std::filesystem::path> listSeriesFiles(const std::filesystem::path& folder);
} // namespace iris::dicom
