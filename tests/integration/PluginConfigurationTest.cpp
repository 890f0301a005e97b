#include "tests/support/OrthancServer.h"

#include <fstream>
#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
TEST(PluginConfiguration, BadValuesAreLoggedByKeyAndDefaulted)
{
  OrthancOptions options;
  options.configuration = {{"Iris", {{"Threads", "many"}, {"Device", "tpu"}}}};
  OrthancServer orthanc(options);
  const auto health = orthanc.client().get("/iris/health").json();
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["device"]["requested"], "auto");
  const std::string log = orthanc.log();
  EXPECT_NE(log.find("Iris.Threads: expected an integer"), std::string::npos) << log;
  EXPECT_NE(log.find("Iris.Device: expected"), std::string::npos) << log;
}

TEST(PluginConfiguration, UnusableDatabaseKeepsOrthancServing)
{
  OrthancOptions options;
  // A path below a regular file can never be created.
  options.configuration = {{"Iris", {{"DatabasePath", "/dev/null/iris.sqlite"}}}};
  OrthancServer orthanc(options);
  EXPECT_EQ(orthanc.client().get("/system").status, 200);
  const auto response = orthanc.client().get("/iris/health");
  ASSERT_EQ(response.status, 200);
  const auto health = response.json();
  EXPECT_EQ(health["status"], "degraded");
  EXPECT_EQ(health["database"]["state"], "error");
  EXPECT_NE(health["database"]["error"].get<std::string>().find("/dev/null/iris.sqlite"),
            std::string::npos);
  EXPECT_NE(orthanc.log().find("Iris.DatabasePath"), std::string::npos);
}

TEST(PluginConfiguration, MissingModelIsReportedNotFatal)
{
  OrthancOptions options;
  options.configuration = {{"Iris", {{"ModelPath", "/nonexistent/model.pt"}}}};
  OrthancServer orthanc(options);
  const auto health = orthanc.client().get("/iris/health").json();
  EXPECT_EQ(health["model"]["state"], "missing");
  EXPECT_EQ(health["model"]["path"], "/nonexistent/model.pt");
}

TEST(PluginConfiguration, ModelFileIsFoundAtTheConfiguredPath)
{
  OrthancServer orthanc;
  const auto model = orthanc.folder() / "model.pt";
  std::ofstream(model) << "weights";
  orthanc.stop();
  OrthancOptions options;
  options.configuration = {{"Iris", {{"ModelPath", model.string()}}}};
  OrthancServer configured(options);
  const auto health = configured.client().get("/iris/health").json();
  EXPECT_EQ(health["model"]["state"], "available");
  EXPECT_EQ(health["model"]["bytes"], 7);
}
} // namespace
} // namespace iris::test
