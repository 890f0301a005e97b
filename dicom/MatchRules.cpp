#include "dicom/MatchRules.h"

#include "dicom/JsonInteger.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>

namespace iris::dicom
{
namespace
{
using Json = nlohmann::json;

// Each rule key and what it reads from the series (named in explanations).
const std::vector<std::pair<std::string, std::string>> kRuleTags = {
    {"Modality", "Modality (0008,0060)"},
    {"BodyPartExamined", "BodyPartExamined (0018,0015)"},
    {"SeriesDescription", "SeriesDescription (0008,103E)"},
    {"ProtocolName", "ProtocolName (0018,1030)"},
    {"ImageType", "ImageType (0008,0008)"},
    {"MinSlices", "instances, or NumberOfFrames (0028,0008) of one multi-frame instance"},
    {"MaxSlices", "instances, or NumberOfFrames (0028,0008) of one multi-frame instance"},
    {"Orientation", "ImageOrientationPatient (0020,0037)"}};

std::string upper(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string joined(const std::vector<std::string>& values)
{
  std::string text;
  for (const auto& value : values)
  {
    text += (text.empty() ? "" : ", ") + value;
  }
  return text;
}

// A string or a non-empty list of non-empty strings, upper-cased.
std::vector<std::string> stringList(const Json& value, const std::string& key)
{
  std::vector<std::string> list;
  const Json items = value.is_array() ? value : Json::array({value});
  for (const auto& item : items)
  {
    if (!item.is_string() || item.get<std::string>().empty())
    {
      throw InvalidRules(key + ": expected a non-empty string or a list of them, got " +
                         value.dump());
    }
    list.push_back(upper(item.get<std::string>()));
  }
  if (list.empty())
  {
    throw InvalidRules(key + ": the list of accepted values is empty");
  }
  return list;
}

size_t sliceBound(const Json& value, const std::string& key)
{
  if (!isIntegerBetween(value, 0, INT64_MAX))
  {
    throw InvalidRules(key + ": expected a non-negative integer, got " + value.dump());
  }
  return value.get<size_t>();
}

std::string tagOf(const std::string& rule)
{
  const auto found = std::find_if(kRuleTags.begin(), kRuleTags.end(),
                                  [&rule](const auto& entry) { return entry.first == rule; });
  return found != kRuleTags.end() ? found->second : rule;
}

RuleCheck check(const std::string& rule, bool passed, const std::string& expected,
                const std::string& actual)
{
  return {rule,     tagOf(rule), passed,
          expected, actual,      "expected " + expected + ", series has " + actual};
}

std::string quoted(const std::string& text)
{
  return "\"" + text + "\"";
}
} // namespace

std::string sliceOrientation(const std::array<double, 6>& iop)
{
  const double normal[3] = {iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5],
                            iop[0] * iop[4] - iop[1] * iop[3]};
  const double x = std::fabs(normal[0]), y = std::fabs(normal[1]), z = std::fabs(normal[2]);
  if (z >= x && z >= y)
  {
    return "axial";
  }
  return x >= y ? "sagittal" : "coronal";
}

MatchRules MatchRules::parse(const Json& rules)
{
  if (!rules.is_object())
  {
    throw InvalidRules("match rules: expected an object, got " + rules.dump());
  }
  for (const auto& item : rules.items())
  {
    if (tagOf(item.key()) == item.key())
    {
      std::vector<std::string> known;
      for (const auto& entry : kRuleTags)
      {
        known.push_back(entry.first);
      }
      throw InvalidRules("match rules: unknown key \"" + item.key() +
                         "\"; known keys: " + joined(known));
    }
  }
  MatchRules parsed;
  if (rules.contains("Modality"))
  {
    parsed.modalities_ = stringList(rules["Modality"], "Modality");
  }
  if (rules.contains("BodyPartExamined"))
  {
    parsed.bodyParts_ = stringList(rules["BodyPartExamined"], "BodyPartExamined");
  }
  for (auto [key, target] : {std::pair{"SeriesDescription", &parsed.seriesDescription_},
                             std::pair{"ProtocolName", &parsed.protocolName_}})
  {
    if (!rules.contains(key))
    {
      continue;
    }
    const Json& value = rules[key];
    if (!value.is_string())
    {
      throw InvalidRules(std::string(key) + ": expected a regular expression string, got " +
                         value.dump());
    }
    try
    {
      *target = Pattern{value.get<std::string>(),
                        std::regex(value.get<std::string>(), std::regex::icase)};
    }
    catch (const std::regex_error& error)
    {
      throw InvalidRules(std::string(key) + ": invalid regular expression " + value.dump() + ": " +
                         error.what());
    }
  }
  if (rules.contains("ImageType"))
  {
    parsed.imageType_ = stringList(rules["ImageType"], "ImageType");
  }
  if (rules.contains("MinSlices"))
  {
    parsed.minSlices_ = sliceBound(rules["MinSlices"], "MinSlices");
  }
  if (rules.contains("MaxSlices"))
  {
    parsed.maxSlices_ = sliceBound(rules["MaxSlices"], "MaxSlices");
  }
  if (parsed.minSlices_ && parsed.maxSlices_ && *parsed.minSlices_ > *parsed.maxSlices_)
  {
    throw InvalidRules("MinSlices (" + std::to_string(*parsed.minSlices_) +
                       ") is larger than MaxSlices (" + std::to_string(*parsed.maxSlices_) + ")");
  }
  if (rules.contains("Orientation"))
  {
    const Json& value = rules["Orientation"];
    const std::string text = value.is_string() ? value.get<std::string>() : "";
    if (text != "axial" && text != "sagittal" && text != "coronal")
    {
      throw InvalidRules("Orientation: expected \"axial\", \"sagittal\" or \"coronal\", got " +
                         value.dump());
    }
    parsed.orientation_ = text;
  }
  return parsed;
}

RuleReport MatchRules::evaluate(const SeriesAttributes& series) const
{
  RuleReport report;
  auto add = [&report](RuleCheck result)
  {
    report.matches = report.matches && result.passed;
    report.checks.push_back(std::move(result));
  };
  auto oneOf =
      [&](const char* rule, const std::vector<std::string>& accepted, const std::string& actual)
  {
    if (accepted.empty())
    {
      return;
    }
    const bool passed =
        std::find(accepted.begin(), accepted.end(), upper(actual)) != accepted.end();
    add(check(rule, passed, "one of [" + joined(accepted) + "]", quoted(actual)));
  };
  oneOf("Modality", modalities_, series.modality);
  oneOf("BodyPartExamined", bodyParts_, series.bodyPartExamined);

  for (auto [rule, pattern, actual] :
       {std::tuple{"SeriesDescription", &seriesDescription_, &series.seriesDescription},
        std::tuple{"ProtocolName", &protocolName_, &series.protocolName}})
  {
    if (*pattern)
    {
      add(check(rule, std::regex_search(*actual, (*pattern)->regex),
                "a match for /" + (*pattern)->text + "/", quoted(*actual)));
    }
  }
  if (!imageType_.empty())
  {
    std::vector<std::string> present;
    for (const auto& value : series.imageType)
    {
      present.push_back(upper(value));
    }
    const bool passed =
        std::all_of(imageType_.begin(), imageType_.end(),
                    [&](const auto& value)
                    { return std::find(present.begin(), present.end(), value) != present.end(); });
    add(check("ImageType", passed, "all of [" + joined(imageType_) + "]",
              "[" + joined(present) + "]"));
  }
  const std::string slices = std::to_string(series.sliceCount) + " slices";
  if (minSlices_)
  {
    add(check("MinSlices", series.sliceCount >= *minSlices_,
              "at least " + std::to_string(*minSlices_) + " slices", slices));
  }
  if (maxSlices_)
  {
    add(check("MaxSlices", series.sliceCount <= *maxSlices_,
              "at most " + std::to_string(*maxSlices_) + " slices", slices));
  }
  if (orientation_)
  {
    const std::string actual = series.imageOrientation ? sliceOrientation(*series.imageOrientation)
                                                       : std::string("no ImageOrientationPatient");
    add(check("Orientation", actual == *orientation_, *orientation_, actual));
  }
  return report;
}
} // namespace iris::dicom
