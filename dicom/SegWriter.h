#pragma once

#include "dicom/SegSource.h"
#include "dicom/SegmentDescription.h"
#include "dicom/SeriesVolume.h"
#include "dicom/Volume.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace iris::dicom
{
struct SegWriteOptions
{
  // Frames whose segment has no voxel on that slice are left out (valid DICOM, much smaller;
  // some readers then cannot rebuild the full stack). Every segment stays in SegmentSequence;
  // a segment without any voxel keeps one all-zero frame on the first slice (dcmseg refuses a
  // SEG with fewer frames than segments).
  bool omitEmptyFrames = true;
  int seriesNumber = 9901;
  std::string seriesDescription = "Iris AI segmentation";
  std::string contentLabel = "IRIS"; // CS: A-Z, 0-9, space, _; at most 16 characters
  std::string contentDescription = "AI segmentation by example";
  std::string contentCreator; // PN, e.g. "Doe^Jane"; may stay empty (Type 2)
  // General Equipment: the software that wrote the SEG. All four must be non-empty.
  std::string manufacturer = "Iris for Orthanc";
  std::string modelName = "Iris for Orthanc";
  std::string deviceSerialNumber = "1";
  std::string softwareVersion = "0.1.0";
  std::string uidRoot; // root for the new UIDs; empty: DCMTK's site root
  // UIDs reserved by the caller; empty: new ones. A job that may be retried after a crash
  // reserves them once, so a second upload of the same result is recognised, not duplicated.
  std::string seriesInstanceUid;
  std::string sopInstanceUid;
};

// A BINARY DICOM-SEG (Explicit VR Little Endian Part 10 bytes) for `labels`, which must lie
// on the grid of `source`. Segment n (1-based) is the voxels equal to segments[n-1].labelValue;
// any other non-zero voxel value is an error. The SEG joins the source's patient and study as a
// new series with new Series, SOP Instance and Dimension Organization UIDs on every call (unless
// options reserve the Series and SOP Instance UIDs).
// Throws SegInputError for inconsistent input, SegEncodingError when DCMTK refuses.
std::vector<uint8_t> writeSeg(const LabelVolume& labels,
                              const std::vector<SegmentDescription>& segments,
                              const SeriesVolume& source, const SegSourceAttributes& attributes,
                              const SegWriteOptions& options = {});

void writeSegFile(const std::filesystem::path& output, const LabelVolume& labels,
                  const std::vector<SegmentDescription>& segments, const SeriesVolume& source,
                  const SegSourceAttributes& attributes, const SegWriteOptions& options = {});

// A DICOM UID that is the same for every run of one algorithm version (Contributing
// Equipment DeviceUID): "2.25." and a 64-bit hash of name and version.
std::string stableDeviceUid(const std::string& algorithmName, const std::string& algorithmVersion);
} // namespace iris::dicom
