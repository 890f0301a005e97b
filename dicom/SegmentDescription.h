#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace iris::dicom
{
// A coded concept as DICOM Code Sequence items carry it; SCT (SNOMED CT) unless stated.
struct CodedConcept
{
  std::string value;
  std::string scheme = "SCT";
  std::string meaning;

  bool operator==(const CodedConcept& other) const
  {
    return value == other.value && scheme == other.scheme && meaning == other.meaning;
  }
  bool operator!=(const CodedConcept& other) const { return !(*this == other); }
};

// RecommendedDisplayCIELabValue, each component scaled to 0..65535 as DICOM stores it.
struct CieLabColour
{
  uint16_t l = 0;
  uint16_t a = 0;
  uint16_t b = 0;

  bool operator==(const CieLabColour& other) const
  {
    return l == other.l && a == other.a && b == other.b;
  }
  bool operator!=(const CieLabColour& other) const { return !(*this == other); }
};

// sRGB 0..255 to DICOM CIELab, through DCMTK's IODCIELabUtil (rounded).
CieLabColour cieLabFromRgb(uint8_t red, uint8_t green, uint8_t blue);

// One segment to write: which voxels (labelValue in the label volume) and what they are.
struct SegmentDescription
{
  uint16_t labelValue = 0;                  // voxel value in the label volume; never 0 (background)
  std::string label;                        // SegmentLabel (LO, at most 64 characters)
  CodedConcept category;                    // CID 7150, e.g. Anatomical Structure 123037004
  CodedConcept type;                        // CID 7151, e.g. Liver 10200004
  std::optional<CodedConcept> typeModifier; // CID 244 laterality, optional
  CieLabColour colour;
  std::string algorithmName;    // model name; SegmentAlgorithmName and the AI identification
  std::string algorithmVersion; // model and weights version
  std::string description;      // optional SegmentDescription
};
} // namespace iris::dicom
