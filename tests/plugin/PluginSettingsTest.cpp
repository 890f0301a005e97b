#include "OrthancPlugin/PluginSettings.h"

#include <gtest/gtest.h>

namespace iris::plugin
{
namespace
{
SettingsDefaults defaults()
{
  SettingsDefaults value;
  value.configurationFolder = "/etc/orthanc";
  value.modelPath = "/usr/share/orthanc-iris/models/iris-default.pt";
  value.threads = 3;
  return value;
}

bool mentions(const std::vector<std::string>& warnings, const std::string& text)
{
  for (const auto& warning : warnings)
  {
    if (warning.find(text) != std::string::npos)
    {
      return true;
    }
  }
  return false;
}

TEST(PluginSettings, DefaultsWithoutAnIrisSection)
{
  const auto result =
      parsePluginSettings(R"({"StorageDirectory": "/var/lib/orthanc/db"})", defaults());
  EXPECT_TRUE(result.warnings.empty());
  EXPECT_EQ(result.settings.databasePath, "/var/lib/orthanc/db/iris/iris.sqlite");
  EXPECT_EQ(result.settings.modelPath, "/usr/share/orthanc-iris/models/iris-default.pt");
  EXPECT_EQ(result.settings.device, "auto");
  EXPECT_EQ(result.settings.threads, 3);
}

TEST(PluginSettings, ReadsEveryKey)
{
  const auto result = parsePluginSettings(R"({"Iris": {"DatabasePath": "/data/iris.db",
      "ModelPath": "/models/m.pt", "Device": "cpu", "Threads": 2}})",
                                          defaults());
  EXPECT_TRUE(result.warnings.empty());
  EXPECT_EQ(result.settings.databasePath, "/data/iris.db");
  EXPECT_EQ(result.settings.modelPath, "/models/m.pt");
  EXPECT_EQ(result.settings.device, "cpu");
  EXPECT_EQ(result.settings.threads, 2);
}

TEST(PluginSettings, RelativePathsFollowTheConfigurationFolder)
{
  const auto result =
      parsePluginSettings(R"({"Iris": {"DatabasePath": "iris/db.sqlite"}})", defaults());
  EXPECT_EQ(result.settings.databasePath, "/etc/orthanc/iris/db.sqlite");
}

TEST(PluginSettings, BadValuesFallBackAndNameTheKey)
{
  const auto result = parsePluginSettings(
      R"({"Iris": {"Threads": "many", "Device": "tpu", "ModelPath": 7}})", defaults());
  EXPECT_EQ(result.settings.threads, 3);
  EXPECT_EQ(result.settings.device, "auto");
  EXPECT_EQ(result.settings.modelPath, "/usr/share/orthanc-iris/models/iris-default.pt");
  EXPECT_TRUE(mentions(result.warnings, "Iris.Threads"));
  EXPECT_TRUE(mentions(result.warnings, "Iris.Device"));
  EXPECT_TRUE(mentions(result.warnings, "Iris.ModelPath"));
  EXPECT_EQ(result.warnings.size(), 3u);
}

TEST(PluginSettings, ThreadsOutOfRangeIsRefused)
{
  for (const char* value : {"0", "-4", "100000", "2.5"})
  {
    const auto result =
        parsePluginSettings(std::string(R"({"Iris": {"Threads": )") + value + "}}", defaults());
    EXPECT_EQ(result.settings.threads, 3) << value;
    EXPECT_TRUE(mentions(result.warnings, "Iris.Threads")) << value;
  }
}

TEST(PluginSettings, SectionThatIsNotAnObject)
{
  const auto result = parsePluginSettings(R"({"Iris": [1, 2]})", defaults());
  EXPECT_EQ(result.settings.device, "auto");
  EXPECT_TRUE(mentions(result.warnings, "Iris"));
}

TEST(PluginSettings, UnparsableConfigurationUsesDefaults)
{
  const auto result = parsePluginSettings("{not json", defaults());
  EXPECT_EQ(result.settings.threads, 3);
  EXPECT_FALSE(result.warnings.empty());
}
} // namespace
} // namespace iris::plugin

namespace iris::plugin
{
namespace
{
TEST(PluginSettings, TasksAreKeptForStartUpValidation)
{
  const auto listed =
      parsePluginSettings(R"({"Iris": {"Tasks": [{"id": "a"}, {"id": "b"}]}})", defaults());
  EXPECT_EQ(listed.settings.tasks.size(), 2u);
  const auto wrong = parsePluginSettings(R"({"Iris": {"Tasks": {"id": "a"}}})", defaults());
  EXPECT_TRUE(wrong.settings.tasks.empty());
  EXPECT_TRUE(mentions(wrong.warnings, "Iris.Tasks"));
}
} // namespace
} // namespace iris::plugin

namespace iris::plugin
{
namespace
{
TEST(PluginSettings, VolumeCapAndDefaultStrategy)
{
  const auto defaulted = parsePluginSettings(R"({"Iris": {"Tasks": [{"id": "a"},
      {"id": "b", "strategy": "tuning"}]}})",
                                             defaults());
  EXPECT_EQ(defaulted.settings.maxVolumeVoxels, size_t{256} << 20);
  EXPECT_EQ(defaulted.settings.defaultStrategy, "ensemble");
  EXPECT_EQ(defaulted.settings.tasks[0]["strategy"], "ensemble");

  const auto chosen = parsePluginSettings(R"({"Iris": {"MaxVolumeMegavoxels": 100,
      "DefaultStrategy": "one-shot", "Tasks": [{"id": "a"}, {"id": "b", "strategy": "tuning"}]}})",
                                          defaults());
  EXPECT_TRUE(chosen.warnings.empty());
  EXPECT_EQ(chosen.settings.maxVolumeVoxels, size_t{100} << 20);
  EXPECT_EQ(chosen.settings.tasks[0]["strategy"], "one-shot");
  EXPECT_EQ(chosen.settings.tasks[1]["strategy"], "tuning") << "a task's own strategy wins";

  const auto bad = parsePluginSettings(
      R"({"Iris": {"MaxVolumeMegavoxels": 0, "DefaultStrategy": "guess"}})", defaults());
  EXPECT_EQ(bad.settings.maxVolumeVoxels, size_t{256} << 20);
  EXPECT_EQ(bad.settings.defaultStrategy, "ensemble");
  EXPECT_TRUE(mentions(bad.warnings, "Iris.MaxVolumeMegavoxels"));
  EXPECT_TRUE(mentions(bad.warnings, "Iris.DefaultStrategy"));
}

TEST(PluginSettings, ExistingSeriesAreLeftAloneUnlessAsked)
{
  EXPECT_FALSE(parsePluginSettings("{}", defaults()).settings.processExistingSeries);
  EXPECT_TRUE(parsePluginSettings(R"({"Iris": {"ProcessExistingSeries": true}})", defaults())
                  .settings.processExistingSeries);
  const auto bad =
      parsePluginSettings(R"({"Iris": {"ProcessExistingSeries": "yes"}})", defaults());
  EXPECT_FALSE(bad.settings.processExistingSeries);
  EXPECT_TRUE(mentions(bad.warnings, "Iris.ProcessExistingSeries"));
}

TEST(PluginSettings, OneWorkerPerGpuOnCudaElseTheConfiguredCount)
{
  const auto settings =
      parsePluginSettings(R"({"Iris": {"Workers": 3}})", defaults()).settings;
  EXPECT_EQ(inferenceWorkerCount(settings, "cpu", 0), 3u);
  EXPECT_EQ(inferenceWorkerCount(settings, "cuda", 2), 2u);
  EXPECT_EQ(inferenceWorkerCount(settings, "cuda", 8), 8u);
}
} // namespace
} // namespace iris::plugin
