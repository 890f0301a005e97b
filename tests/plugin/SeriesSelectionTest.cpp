#include "OrthancPlugin/SeriesSelection.h"

#include <gtest/gtest.h>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

Json series(const std::string& modality, size_t instances)
{
  Json ids = Json::array();
  for (size_t i = 0; i < instances; ++i)
  {
    ids.push_back("instance-" + std::to_string(i));
  }
  return {{"MainDicomTags",
           {{"Modality", modality}, {"SeriesDescription", "T1 sag"}, {"BodyPartExamined", "HEAD"}}},
          {"Instances", ids}};
}

TEST(SeriesSelection, NonImageSeriesAreSkippedWithTheReason)
{
  for (const char* modality : {"SEG", "SR", "PR", "KO", "RTSTRUCT", "REG"})
  {
    const auto reason = reasonToSkip(series(modality, 1));
    ASSERT_TRUE(reason) << modality;
    EXPECT_NE(reason->find(modality), std::string::npos);
  }
  EXPECT_FALSE(reasonToSkip(series("MR", 3)));
  EXPECT_TRUE(reasonToSkip(series("CT", 0)));
}

TEST(SeriesSelection, ClassicImageAttributes)
{
  const Json tags = {{"ImageType", "ORIGINAL\\PRIMARY\\AXIAL"},
                     {"ProtocolName", "abdomen"},
                     {"ImageOrientationPatient", "1\\0\\0\\0\\1\\0"}};
  const auto attributes = seriesAttributes(series("CT", 120), tags);
  EXPECT_EQ(attributes.modality, "CT");
  EXPECT_EQ(attributes.bodyPartExamined, "HEAD");
  EXPECT_EQ(attributes.protocolName, "abdomen");
  EXPECT_EQ(attributes.imageType, (std::vector<std::string>{"ORIGINAL", "PRIMARY", "AXIAL"}));
  EXPECT_EQ(attributes.sliceCount, 120u);
  ASSERT_TRUE(attributes.imageOrientation);
  EXPECT_EQ(dicom::sliceOrientation(*attributes.imageOrientation), "axial");
}

TEST(SeriesSelection, EnhancedMultiFrameCountsFramesAndReadsSharedOrientation)
{
  const Json tags = {
      {"NumberOfFrames", "30"},
      {"SharedFunctionalGroupsSequence",
       Json::array({{{"PlaneOrientationSequence",
                      Json::array({{{"ImageOrientationPatient", "0\\1\\0\\0\\0\\-1"}}})}}})}};
  const auto attributes = seriesAttributes(series("MR", 1), tags);
  EXPECT_EQ(attributes.sliceCount, 30u);
  ASSERT_TRUE(attributes.imageOrientation);
  EXPECT_EQ(dicom::sliceOrientation(*attributes.imageOrientation), "sagittal");
}

TEST(SeriesSelection, UnreadableValuesDegradeGracefully)
{
  const Json tags = {{"NumberOfFrames", "many"}, {"ImageOrientationPatient", "1\\0\\x"}};
  const auto attributes = seriesAttributes(series("MR", 1), tags);
  EXPECT_EQ(attributes.sliceCount, 1u);
  EXPECT_FALSE(attributes.imageOrientation);
}

// The watcher's decision and the rule tester's explanation are the same call.
TEST(SeriesSelection, SelectTaskDecidesAndExplains)
{
  auto task = TaskDefinition::parse(
      Json{{"id", "ct-liver"},
           {"match", {{"Modality", "CT"}, {"MinSlices", 2}}},
           {"classes", Json::array({{{"name", "Liver"}, {"memoryBank", "liver"}}})}});
  const Json tags = {{"ImageType", "ORIGINAL\\PRIMARY"}};
  const auto reader = [&tags](const std::string& instance)
  {
    EXPECT_EQ(instance, "instance-0");
    return tags;
  };

  const auto ct = examineSeries(series("CT", 3), reader);
  ASSERT_FALSE(ct.skipReason);
  auto selection = selectTask(task, ct);
  EXPECT_TRUE(selection.selected);
  EXPECT_TRUE(selection.reasons.empty());
  ASSERT_EQ(selection.rules.checks.size(), 2u);
  EXPECT_EQ(selection.rules.checks[0].tag, "Modality (0008,0060)");
  EXPECT_EQ(selection.rules.checks[0].expected, "one of [CT]");
  EXPECT_EQ(selection.rules.checks[0].actual, "\"CT\"");

  task.enabled = false;
  const auto mr = examineSeries(series("MR", 1), reader);
  selection = selectTask(task, mr);
  EXPECT_FALSE(selection.selected);
  EXPECT_EQ(selection.reasons,
            (std::vector<std::string>{"task \"ct-liver\" is disabled",
                                      "Modality: expected one of [CT], series has \"MR\"",
                                      "MinSlices: expected at least 2 slices, series has 1 slices"}));

  task.enabled = true;
  const auto seg = examineSeries(series("SEG", 1), [](const std::string&) -> Json
                                 { throw std::logic_error("a skipped series' tags are not read"); });
  selection = selectTask(task, seg);
  EXPECT_FALSE(selection.selected);
  EXPECT_EQ(selection.reasons,
            std::vector<std::string>{"series: modality SEG holds no images to segment"});
  EXPECT_TRUE(selection.rules.checks.empty());
}
} // namespace
} // namespace iris::plugin
