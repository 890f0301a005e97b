#include "iris/Version.h"
#include "tests/support/Process.h"

#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
TEST(IrisCli, VersionPrintsTheProjectVersion)
{
  const auto result = runProcess({IRIS_CLI_PATH, "--version"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(result.output, std::string("iris ") + kVersion + "\n");
}

TEST(IrisCli, HelpListsUsage)
{
  const auto result = runProcess({IRIS_CLI_PATH, "--help"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_NE(result.output.find("Usage: iris <command>"), std::string::npos);
}

TEST(IrisCli, UnknownCommandFailsWithItsName)
{
  const auto result = runProcess({IRIS_CLI_PATH, "frobnicate"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.output.find("unknown command \"frobnicate\""), std::string::npos);
}

TEST(IrisCli, NoArgumentsIsAUsageError)
{
  const auto result = runProcess({IRIS_CLI_PATH});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.output.find("Usage"), std::string::npos);
}
} // namespace
} // namespace iris::test

#include "tools/CommandLine.h"

namespace iris::cli
{
namespace
{
TEST(OptionValues, PositiveNumbersAndCounts)
{
  EXPECT_DOUBLE_EQ(parsePositiveNumber("1.5", "--spacing"), 1.5);
  EXPECT_EQ(parsePositiveCount("4", "--threads"), 4);
  for (const char* bad : {"0", "-2", "abc", "3x", ""})
  {
    EXPECT_THROW(parsePositiveNumber(bad, "--spacing"), std::invalid_argument) << bad;
  }
  try
  {
    parsePositiveCount("2.5", "--threads");
    FAIL() << "accepted 2.5";
  }
  catch (const std::invalid_argument& error)
  {
    EXPECT_STREQ(error.what(), "--threads must be a whole number, got \"2.5\"");
  }
}
} // namespace
} // namespace iris::cli
