#include "dicom/JsonInteger.h"

#include <gtest/gtest.h>

namespace iris::dicom
{
namespace
{
using Json = nlohmann::json;

TEST(JsonInteger, AcceptsIntegersInsideTheRangeOnly)
{
  EXPECT_TRUE(isIntegerBetween(Json(-100), -100, 100));
  EXPECT_TRUE(isIntegerBetween(Json::parse("100"), -100, 100));
  EXPECT_FALSE(isIntegerBetween(Json(101), -100, 100));
  EXPECT_FALSE(isIntegerBetween(Json(-101), -100, 100));
  EXPECT_FALSE(isIntegerBetween(Json::parse("3"), 5, 10));
  EXPECT_FALSE(isIntegerBetween(Json(1.5), 0, 10));
  EXPECT_FALSE(isIntegerBetween(Json("1"), 0, 10));
  EXPECT_FALSE(isIntegerBetween(Json(), 0, 10));
}

TEST(JsonInteger, UnsignedNumbersAboveInt64DoNotWrapIntoTheRange)
{
  const Json huge = Json::parse("18446744073709551615");
  ASSERT_TRUE(huge.is_number_unsigned());
  ASSERT_EQ(huge.get<int64_t>(), -1); // what a signed read sees
  EXPECT_FALSE(isIntegerBetween(huge, -100, 100));
  EXPECT_FALSE(isIntegerBetween(Json::parse("4294967296"), 0, 255));
  EXPECT_FALSE(isIntegerBetween(Json::parse("5"), -10, -1));
}
} // namespace
} // namespace iris::dicom
