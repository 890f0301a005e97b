#pragma once

#include "dicom/SegmentDescription.h"

#include <cstdint>
#include <string>

namespace iris::dicom
{
// A segment description from a plain structure name, for front ends that only know names
// (`iris nifti2seg --segments 1=Liver`). Known names (case-insensitive: liver, spleen, kidney,
// pancreas, heart, lung, aorta, brain, esophagus, stomach, gallbladder, trachea, spinal cord,
// sacrum, lumbar spine, bone, neoplasm, mass) get their SCT category and type codes and the
// dcmqi display colour; any other name is coded as SCT Tissue / Tissue, keeps the name as
// its label, and takes a colour from a fixed palette indexed by the label value.
SegmentDescription describeSegmentByName(uint16_t labelValue, const std::string& name,
                                         const std::string& algorithmName,
                                         const std::string& algorithmVersion);
} // namespace iris::dicom
