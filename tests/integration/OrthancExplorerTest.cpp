#include "tests/support/OrthancServer.h"
#include "tests/support/Process.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace iris::test
{
namespace
{
// Orthanc Explorer loads every plugin's extension from /plugins/explorer.js; a syntax error in
// ours would break the whole page, so the served script is parsed by Node.js.
TEST(OrthancExplorer, SeriesPageGetsTheIrisActions)
{
  OrthancServer orthanc;
  const auto response = orthanc.client().get("/plugins/explorer.js");
  ASSERT_EQ(response.status, 200);
  const std::string& script = response.body;
  EXPECT_NE(script.find("Segment with Iris"), std::string::npos);
  EXPECT_NE(script.find("'../iris/series/' + $.mobile.pageData.uuid + '/segment'"),
            std::string::npos);
  EXPECT_NE(script.find("'../iris/jobs?series='"), std::string::npos);

  if (!std::filesystem::exists("/usr/bin/node"))
  {
    GTEST_SKIP() << "Node.js is not installed: the script's syntax was not checked";
  }
  TempDir dir;
  const auto path = dir / "explorer.js";
  std::ofstream(path) << script;
  const auto check = runProcess({"/usr/bin/node", "--check", path.string()});
  EXPECT_EQ(check.exitCode, 0) << check.output;
}
} // namespace
} // namespace iris::test
