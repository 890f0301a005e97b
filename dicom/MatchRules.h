#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::dicom
{
// What the rules look at, read from a series' main tags and its first instance.
struct SeriesAttributes
{
  std::string modality;
  std::string bodyPartExamined;
  std::string seriesDescription;
  std::string protocolName;
  std::vector<std::string> imageType; // values of ImageType (0008,0008)
  size_t sliceCount = 0;              // instances, or frames of a multi-frame instance
  std::optional<std::array<double, 6>> imageOrientation; // ImageOrientationPatient
};

// "axial", "sagittal" or "coronal": the patient axis closest to the slice normal.
std::string sliceOrientation(const std::array<double, 6>& imageOrientationPatient);

class InvalidRules : public std::invalid_argument
{
public:
  using std::invalid_argument::invalid_argument;
};

struct RuleCheck
{
  std::string rule; // the match key, e.g. "Modality" or "MinSlices"
  std::string tag;  // what the rule reads, e.g. "Modality (0008,0060)"
  bool passed = false;
  std::string expected; // e.g. "one of [CT, MR]"
  std::string actual;   // the series' value, e.g. "\"MR\"" or "120 slices"
  std::string reason;   // "expected <expected>, series has <actual>"
};

struct RuleReport
{
  bool matches = true;
  std::vector<RuleCheck> checks;
};

// A task's declarative series selection. Every rule present must pass; an empty rule set
// matches every image series. JSON keys: Modality, BodyPartExamined (a string or a list of
// accepted values, case-insensitive), SeriesDescription, ProtocolName (case-insensitive regular
// expressions, searched), ImageType (values that must all be present), MinSlices, MaxSlices,
// Orientation ("axial", "sagittal" or "coronal").
class MatchRules
{
public:
  // Throws InvalidRules naming the key and the problem.
  static MatchRules parse(const nlohmann::json& rules);

  RuleReport evaluate(const SeriesAttributes& series) const;
  bool matches(const SeriesAttributes& series) const { return evaluate(series).matches; }

private:
  struct Pattern
  {
    std::string text;
    std::regex regex;
  };

  std::vector<std::string> modalities_;
  std::vector<std::string> bodyParts_;
  std::optional<Pattern> seriesDescription_;
  std::optional<Pattern> protocolName_;
  std::vector<std::string> imageType_;
  std::optional<size_t> minSlices_;
  std::optional<size_t> maxSlices_;
  std::optional<std::string> orientation_;
};
} // namespace iris::dicom
