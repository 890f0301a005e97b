#include "iris/Version.h"
#include "tests/support/OrthancServer.h"

#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
TEST(Health, AnswersWithCredentials)
{
  OrthancServer orthanc;
  const auto response = orthanc.client().get("/iris/health");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto health = response.json();
  EXPECT_EQ(health["plugin"], kProductName);
  EXPECT_EQ(health["version"], kVersion);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["database"]["state"], "ok");
  EXPECT_EQ(health["database"]["journalMode"], "wal");
  EXPECT_GE(health["database"]["schemaVersion"].get<int>(), 1);
  EXPECT_TRUE(health["model"].contains("state"));
  EXPECT_EQ(health["device"]["selected"], "cpu");
  EXPECT_EQ(health["device"]["threads"], 2);
}

TEST(Health, RefusesAnonymousAndWrongPassword)
{
  OrthancServer orthanc;
  EXPECT_EQ(orthanc.client().anonymous().get("/iris/health").status, 401);
  HttpClient wrong(orthanc.httpPort(), OrthancServer::kUser, orthanc.password() + "x");
  EXPECT_EQ(wrong.get("/iris/health").status, 401);
}

TEST(Health, OtherMethodsAreNotAllowed)
{
  OrthancServer orthanc;
  EXPECT_EQ(orthanc.client().post("/iris/health", "{}").status, 405);
  EXPECT_EQ(orthanc.client().remove("/iris/health").status, 405);
}

TEST(Health, PluginIsListedByOrthanc)
{
  OrthancServer orthanc;
  const auto plugins = orthanc.client().get("/plugins").json();
  EXPECT_NE(std::find(plugins.begin(), plugins.end(), "iris"), plugins.end()) << plugins.dump();
  const auto plugin = orthanc.client().get("/plugins/iris").json();
  EXPECT_EQ(plugin["Version"], kVersion);
}

TEST(Health, CleanShutdownLeavesNoProcess)
{
  OrthancServer orthanc;
  orthanc.stop();
  EXPECT_FALSE(orthanc.running());
  EXPECT_NE(orthanc.log().find("Iris: stopping"), std::string::npos);
  EXPECT_THROW(orthanc.client().get("/system"), std::exception);
}
} // namespace
} // namespace iris::test
