#include "dicom/SegTerminology.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <dcmtk/dcmiod/cielabutil.h>

namespace iris::dicom
{
namespace
{
struct KnownStructure
{
  const char* name;
  const char* typeCode;
  const char* typeMeaning;
  bool abnormal; // category Morphologically Abnormal Structure instead of Anatomical Structure
  std::array<uint8_t, 3> rgb;
};

constexpr std::array<KnownStructure, 18> kKnownStructures = {{
    {"liver", "10200004", "Liver", false, {221, 130, 101}},
    {"spleen", "78961009", "Spleen", false, {157, 108, 162}},
    {"kidney", "64033007", "Kidney", false, {185, 102, 83}},
    {"pancreas", "15776009", "Pancreas", false, {249, 180, 111}},
    {"heart", "80891009", "Heart", false, {206, 110, 84}},
    {"lung", "39607008", "Lung", false, {197, 165, 145}},
    {"aorta", "15825003", "Aorta", false, {224, 97, 76}},
    {"brain", "12738006", "Brain", false, {250, 250, 225}},
    {"esophagus", "32849002", "Esophagus", false, {211, 171, 143}},
    {"stomach", "69695003", "Stomach", false, {216, 132, 105}},
    {"gallbladder", "28231008", "Gallbladder", false, {139, 150, 98}},
    {"trachea", "44567001", "Trachea", false, {182, 228, 255}},
    {"spinal cord", "2748008", "Spinal cord", false, {244, 214, 49}},
    {"sacrum", "54735007", "Sacrum", false, {241, 214, 145}},
    {"lumbar spine", "122496007", "Lumbar spine", false, {241, 214, 145}},
    {"bone", "272673000", "Bone", false, {241, 214, 145}},
    {"neoplasm", "108369006", "Neoplasm", true, {144, 238, 144}},
    {"mass", "4147007", "Mass", true, {144, 238, 144}},
}};

// Distinct, saturated colours for names we have no code for.
constexpr std::array<std::array<uint8_t, 3>, 10> kPalette = {{{128, 174, 128},
                                                              {241, 214, 145},
                                                              {177, 122, 101},
                                                              {111, 184, 210},
                                                              {216, 101, 79},
                                                              {221, 130, 101},
                                                              {144, 238, 144},
                                                              {192, 104, 88},
                                                              {220, 245, 20},
                                                              {78, 63, 0}}};

std::string lowerCase(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}
} // namespace

CieLabColour cieLabFromRgb(uint8_t red, uint8_t green, uint8_t blue)
{
  double l = 0, a = 0, b = 0;
  IODCIELabUtil::rgb2DicomLab(l, a, b, red / 255.0, green / 255.0, blue / 255.0);
  const auto toUint16 = [](double value)
  { return static_cast<uint16_t>(std::clamp(std::lround(value), 0L, 65535L)); };
  return {toUint16(l), toUint16(a), toUint16(b)};
}

SegmentDescription describeSegmentByName(uint16_t labelValue, const std::string& name,
                                         const std::string& algorithmName,
                                         const std::string& algorithmVersion)
{
  SegmentDescription segment;
  segment.labelValue = labelValue;
  segment.label = name;
  segment.algorithmName = algorithmName;
  segment.algorithmVersion = algorithmVersion;
  const std::string key = lowerCase(name);
  const auto known = std::find_if(kKnownStructures.begin(), kKnownStructures.end(),
                                  [&key](const KnownStructure& s) { return key == s.name; });
  if (known != kKnownStructures.end())
  {
    segment.category = known->abnormal
                           ? CodedConcept{"49755003", "SCT", "Morphologically Abnormal Structure"}
                           : CodedConcept{"123037004", "SCT", "Anatomical Structure"};
    segment.type = {known->typeCode, "SCT", known->typeMeaning};
    segment.colour = cieLabFromRgb(known->rgb[0], known->rgb[1], known->rgb[2]);
    return segment;
  }
  segment.category = {"85756007", "SCT", "Tissue"};
  segment.type = {"85756007", "SCT", "Tissue"};
  const auto& rgb = kPalette[labelValue % kPalette.size()];
  segment.colour = cieLabFromRgb(rgb[0], rgb[1], rgb[2]);
  return segment;
}
} // namespace iris::dicom
