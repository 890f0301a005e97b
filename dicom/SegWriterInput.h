#pragma once

#include "dicom/SegSource.h"
#include "dicom/SegmentDescription.h"
#include "dicom/Volume.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

class DcmDataset;
class DcmItem;

namespace iris::dicom
{
// segmentIndex[value] is the 0-based segment written for voxel value `value`, or -1.
using SegmentIndexByValue = std::vector<int>;

// Checks the writer's input and throws SegInputError naming the first inconsistency: label
// volume off the source grid, unknown label values, incomplete segment descriptions.
SegmentIndexByValue checkSegWriterInput(const LabelVolume& labels,
                                        const std::vector<SegmentDescription>& segments,
                                        const SeriesVolume& source,
                                        const SegSourceAttributes& attributes);

// A copy of the source's dataset without the top-level values that violate their VR (such as
// a PatientAge of "45" instead of "045Y"): DCMTK refuses to write a SEG that imports them.
std::unique_ptr<DcmDataset> sanitisedStudyDataset(const DcmDataset& source);

// Patient-level de-identification attributes dcmseg's import leaves out (PatientIdentityRemoved,
// DeidentificationMethod and its code sequence), copied so SEG and source agree (dcentvfy).
void copyDeidentification(DcmItem& source, DcmItem& seg);

// DS text of at most 16 characters for a value in mm or a direction cosine.
std::string decimalString(double value);

// What dcmseg 3.6.7 does not model, added to the written dataset: Contributing Equipment per
// IHE AIR (one item per algorithm name and version) and the Series date and time.
void addSegProvenance(DcmItem& dataset, const std::vector<SegmentDescription>& segments,
                      const std::string& manufacturer);
} // namespace iris::dicom
