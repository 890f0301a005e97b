#include "dicom/MatchRules.h"

#include <gtest/gtest.h>

namespace iris::dicom
{
namespace
{
using Json = nlohmann::json;

SeriesAttributes brainT1()
{
  SeriesAttributes series;
  series.modality = "MR";
  series.bodyPartExamined = "Brain";
  series.seriesDescription = "Sag T1 MPRAGE";
  series.protocolName = "t1_mprage_sag";
  series.imageType = {"ORIGINAL", "PRIMARY", "M", "ND"};
  series.sliceCount = 176;
  series.imageOrientation = std::array<double, 6>{0, 1, 0, 0, 0, -1}; // sagittal
  return series;
}

const RuleCheck& checkNamed(const RuleReport& report, const std::string& rule)
{
  for (const auto& check : report.checks)
  {
    if (check.rule == rule)
    {
      return check;
    }
  }
  throw std::runtime_error("no check " + rule);
}

TEST(MatchRules, EmptyRulesMatchAnything)
{
  const auto report = MatchRules::parse(Json::object()).evaluate(brainT1());
  EXPECT_TRUE(report.matches);
  EXPECT_TRUE(report.checks.empty());
}

TEST(MatchRules, EveryRulePassesOnAMatchingSeries)
{
  const auto rules = MatchRules::parse(Json::parse(R"({
    "Modality": ["mr"], "BodyPartExamined": ["HEAD", "BRAIN"],
    "SeriesDescription": "t1.*mprage", "ProtocolName": "^t1_",
    "ImageType": ["original", "PRIMARY"], "MinSlices": 100, "MaxSlices": 400,
    "Orientation": "sagittal"})"));
  const auto report = rules.evaluate(brainT1());
  EXPECT_TRUE(report.matches);
  EXPECT_EQ(report.checks.size(), 8u);
}

TEST(MatchRules, EachFailureSaysWhy)
{
  const auto rules = MatchRules::parse(Json::parse(R"({
    "Modality": "CT", "SeriesDescription": "flair", "ImageType": ["DERIVED"],
    "MinSlices": 200, "Orientation": "axial"})"));
  const auto report = rules.evaluate(brainT1());
  EXPECT_FALSE(report.matches);
  EXPECT_EQ(checkNamed(report, "Modality").reason, "expected one of [CT], series has \"MR\"");
  EXPECT_FALSE(checkNamed(report, "SeriesDescription").passed);
  EXPECT_NE(checkNamed(report, "ImageType").reason.find("all of [DERIVED]"), std::string::npos);
  EXPECT_EQ(checkNamed(report, "MinSlices").reason,
            "expected at least 200 slices, series has 176 slices");
  EXPECT_EQ(checkNamed(report, "Orientation").reason, "expected axial, series has sagittal");
}

TEST(MatchRules, OneFailingRuleIsEnough)
{
  const auto rules = MatchRules::parse(Json::parse(R"({"Modality": "MR", "MaxSlices": 100})"));
  const auto report = rules.evaluate(brainT1());
  EXPECT_FALSE(report.matches);
  EXPECT_TRUE(checkNamed(report, "Modality").passed);
  EXPECT_FALSE(checkNamed(report, "MaxSlices").passed);
}

TEST(MatchRules, OrientationFollowsTheSliceNormal)
{
  EXPECT_EQ(sliceOrientation({1, 0, 0, 0, 1, 0}), "axial");
  EXPECT_EQ(sliceOrientation({1, 0, 0, 0, 0, -1}), "coronal");
  EXPECT_EQ(sliceOrientation({0, 1, 0, 0, 0, -1}), "sagittal");
  // 3 degrees off sagittal, as in the GE fixture, is still sagittal.
  EXPECT_EQ(sliceOrientation({0.0523, 0.9986, 0, 0, 0, -1}), "sagittal");
  auto noGeometry = brainT1();
  noGeometry.imageOrientation.reset();
  const auto report = MatchRules::parse(Json{{"Orientation", "axial"}}).evaluate(noGeometry);
  EXPECT_FALSE(report.matches);
  EXPECT_NE(report.checks[0].reason.find("no ImageOrientationPatient"), std::string::npos);
}

TEST(MatchRules, InvalidRulesNameTheKey)
{
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"Modalty": "MR"})", "unknown key \"Modalty\""},
      {R"({"Modality": 3})", "Modality: expected"},
      {R"({"Modality": []})", "Modality: the list"},
      {R"({"SeriesDescription": "t1("})", "SeriesDescription: invalid regular expression"},
      {R"({"MinSlices": -1})", "MinSlices: expected a non-negative integer"},
      {R"({"MinSlices": 10, "MaxSlices": 5})", "larger than MaxSlices"},
      {R"({"Orientation": "oblique"})", "Orientation: expected"},
      {R"([1, 2])", "expected an object"},
  };
  for (const auto& [text, message] : cases)
  {
    try
    {
      MatchRules::parse(Json::parse(text));
      ADD_FAILURE() << "accepted " << text;
    }
    catch (const InvalidRules& error)
    {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos)
          << text << " -> " << error.what();
    }
  }
}
} // namespace
} // namespace iris::dicom
