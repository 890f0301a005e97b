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
} // namespace
} // namespace iris::plugin
