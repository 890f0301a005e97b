#include "OrthancPlugin/SeriesSelection.h"

#include <algorithm>
#include <sstream>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

const std::vector<std::string> kNonImageModalities = {
    "SEG", "SR",  "PR",  "KO", "RTSTRUCT", "RTPLAN", "RTDOSE", "RTRECORD",
    "REG", "DOC", "ECG", "AU", "FID",      "PLAN",   "RWV"};

std::string text(const Json& tags, const char* key)
{
  return tags.contains(key) && tags[key].is_string() ? tags[key].get<std::string>() : "";
}

std::vector<std::string> split(const std::string& value)
{
  std::vector<std::string> parts;
  std::stringstream stream(value);
  std::string part;
  while (std::getline(stream, part, '\\'))
  {
    parts.push_back(part);
  }
  return parts;
}

// Classic images carry ImageOrientationPatient at the top level; enhanced multi-frame ones in
// the shared (or first per-frame) functional group's PlaneOrientationSequence.
std::optional<std::array<double, 6>> orientation(const Json& tags)
{
  std::string value = text(tags, "ImageOrientationPatient");
  for (const char* group : {"SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"})
  {
    if (!value.empty() || !tags.contains(group) || !tags[group].is_array() || tags[group].empty())
    {
      continue;
    }
    const Json& first = tags[group][0];
    if (first.contains("PlaneOrientationSequence") &&
        first["PlaneOrientationSequence"].is_array() && !first["PlaneOrientationSequence"].empty())
    {
      value = text(first["PlaneOrientationSequence"][0], "ImageOrientationPatient");
    }
  }
  const auto parts = split(value);
  if (parts.size() != 6)
  {
    return std::nullopt;
  }
  std::array<double, 6> cosines{};
  try
  {
    for (size_t i = 0; i < 6; ++i)
    {
      cosines[i] = std::stod(parts[i]);
    }
  }
  catch (const std::exception&)
  {
    return std::nullopt;
  }
  return cosines;
}
} // namespace

std::optional<std::string> reasonToSkip(const Json& series)
{
  const Json& tags = series.value("MainDicomTags", Json::object());
  const std::string modality = text(tags, "Modality");
  if (std::find(kNonImageModalities.begin(), kNonImageModalities.end(), modality) !=
      kNonImageModalities.end())
  {
    return "modality " + modality + " holds no images to segment";
  }
  if (!series.contains("Instances") || series["Instances"].empty())
  {
    return std::string("the series has no instances");
  }
  return std::nullopt;
}

dicom::SeriesAttributes seriesAttributes(const Json& series, const Json& instanceTags)
{
  const Json& main = series.value("MainDicomTags", Json::object());
  dicom::SeriesAttributes attributes;
  attributes.modality = text(main, "Modality");
  attributes.bodyPartExamined = text(main, "BodyPartExamined");
  attributes.seriesDescription = text(main, "SeriesDescription");
  attributes.protocolName = text(main, "ProtocolName");
  if (attributes.bodyPartExamined.empty())
  {
    attributes.bodyPartExamined = text(instanceTags, "BodyPartExamined");
  }
  if (attributes.protocolName.empty())
  {
    attributes.protocolName = text(instanceTags, "ProtocolName");
  }
  attributes.imageType = split(text(instanceTags, "ImageType"));
  const size_t instances = series.value("Instances", Json::array()).size();
  size_t frames = 0;
  try
  {
    frames = std::stoul(text(instanceTags, "NumberOfFrames"));
  }
  catch (const std::exception&)
  {
    // Absent or unreadable: a single-frame instance.
  }
  attributes.sliceCount = instances == 1 && frames > 0 ? frames : instances;
  attributes.imageOrientation = orientation(instanceTags);
  return attributes;
}

SeriesCandidate examineSeries(const Json& series, const InstanceTagsReader& readTags)
{
  SeriesCandidate candidate;
  candidate.skipReason = reasonToSkip(series);
  if (!candidate.skipReason)
  {
    const std::string firstInstance = series["Instances"][0].get<std::string>();
    candidate.attributes = seriesAttributes(series, readTags(firstInstance));
  }
  return candidate;
}

TaskSelection selectTask(const TaskDefinition& task, const SeriesCandidate& series)
{
  TaskSelection selection;
  if (series.skipReason)
  {
    selection.reasons.push_back("series: " + *series.skipReason);
  }
  if (!task.enabled)
  {
    selection.reasons.push_back("task \"" + task.id + "\" is disabled");
  }
  if (!series.skipReason)
  {
    selection.rules = task.rules.evaluate(series.attributes);
    for (const auto& check : selection.rules.checks)
    {
      if (!check.passed)
      {
        selection.reasons.push_back(check.rule + ": " + check.reason);
      }
    }
  }
  selection.selected = selection.reasons.empty();
  return selection;
}
} // namespace iris::plugin
