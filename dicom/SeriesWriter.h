#pragma once

#include "dicom/Volume.h"

#include <filesystem>
#include <string>
#include <vector>

namespace iris::dicom
{
struct SeriesWriteOptions
{
  std::string modality = "CT"; // CT or MR
  std::string patientName = "Iris^Demo";
  std::string patientId = "IRIS-DEMO";
  std::string studyDescription = "Iris for Orthanc";
  std::string seriesDescription = "Converted from NIfTI";
  // Empty: a new UID on every call.
  std::string studyInstanceUid;
  std::string frameOfReferenceUid;
};

// Writes `image` as a new single-frame CT or MR Image Storage series (Explicit VR Little Endian,
// 16-bit), one file per slice k, named IM00001.dcm, ... in `folder` (created if missing). Values
// are stored as integers: exactly when they are integers that fit 16 bits, else scaled through
// Rescale Slope/Intercept. Every call makes new Series, SOP Instance (and, unless given, Study
// and Frame of Reference) UIDs. The grid must be a plain stack: the k axis along the normal of
// the i and j axes (throws std::invalid_argument otherwise). Returns the files in slice order.
std::vector<std::filesystem::path> writeSeries(const ImageVolume& image,
                                               const std::filesystem::path& folder,
                                               const SeriesWriteOptions& options = {});
} // namespace iris::dicom
