#include "storage/JobStore.h"
#include "storage/TaskStore.h"
#include "tests/support/OrthancServer.h"
#include "tests/support/SharedData.h"

#include <gtest/gtest.h>
#include <thread>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kMrSeries = "udacity_hippocampus_testvolumes/Study3/11_HCropVolume";
constexpr const char* kCtSeries = "dcmqi_seg/ct-3slice";

OrthancOptions withMrTask()
{
  OrthancOptions options;
  options.configuration = {
      {"Iris",
       {{"Tasks", Json::array({{{"id", "mr-brain"},
                                {"match", {{"Modality", "MR"}, {"MinSlices", 10}}},
                                {"classes", Json::array({{{"name", "Hippocampus"}}})}}})}}}};
  return options;
}

std::filesystem::path databaseOf(const OrthancServer& orthanc)
{
  return orthanc.configuration()["Iris"]["DatabasePath"].get<std::string>();
}

// Polls until `condition` holds; false after `timeout`.
bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = 60s)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline)
  {
    if (condition())
    {
      return true;
    }
    std::this_thread::sleep_for(200ms);
  }
  return condition();
}

// The sequence number of the StableSeries change for `seriesId`, once Orthanc logged it.
int64_t stableSeq(const OrthancServer& orthanc, const std::string& seriesId)
{
  int64_t seq = -1;
  eventually(
      [&]
      {
        const auto changes = orthanc.client().get("/changes?limit=1000").json();
        for (const auto& change : changes["Changes"])
        {
          if (change["ChangeType"] == "StableSeries" && change["ID"] == seriesId)
          {
            seq = change["Seq"].get<int64_t>();
            return true;
          }
        }
        return false;
      });
  return seq;
}

std::string seriesIdOf(const OrthancServer& orthanc, const std::string& modality)
{
  const auto found =
      orthanc.client()
          .post("/tools/find",
                Json{{"Level", "Series"}, {"Query", {{"Modality", modality}}}}.dump())
          .json();
  return found.empty() ? std::string() : found[0].get<std::string>();
}

std::vector<storage::Job> jobsFor(const OrthancServer& orthanc, const std::string& seriesId)
{
  storage::Database database(databaseOf(orthanc));
  storage::JobFilter filter;
  filter.seriesId = seriesId;
  return storage::JobStore(database).list(filter);
}

std::optional<std::string> storedCursor(const OrthancServer& orthanc)
{
  storage::Database database(databaseOf(orthanc));
  return storage::PropertyStore(database).get("orthanc.changes.cursor");
}

int64_t persistedCursor(const OrthancServer& orthanc)
{
  return std::stoll(storedCursor(orthanc).value_or("0"));
}

TEST(Watch, ConfiguredTasksAreStored)
{
  OrthancServer orthanc(withMrTask());
  storage::Database database(databaseOf(orthanc));
  const auto task = storage::TaskStore(database).find("mr-brain");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->origin, "configuration");
}

TEST(Watch, InvalidConfiguredTaskIsSkippedWithItsKey)
{
  auto options = withMrTask();
  options.configuration["Iris"]["Tasks"].push_back({{"id", "Bad Id"}, {"classes", Json::array()}});
  OrthancServer orthanc(options);
  EXPECT_NE(orthanc.log().find("Iris.Tasks[1]: task.id"), std::string::npos);
  storage::Database database(databaseOf(orthanc));
  EXPECT_EQ(storage::TaskStore(database).list().size(), 1u);
}

TEST(Watch, MatchingSeriesGetsOneJobAndOthersNone)
{
  OrthancServer orthanc(withMrTask());
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / kCtSeries).exitCode, 0);
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / kMrSeries).exitCode, 0);
  const std::string mr = seriesIdOf(orthanc, "MR");
  const std::string ct = seriesIdOf(orthanc, "CT");
  ASSERT_FALSE(mr.empty());
  ASSERT_FALSE(ct.empty());

  ASSERT_TRUE(eventually([&] { return jobsFor(orthanc, mr).size() == 1; }));
  const auto job = jobsFor(orthanc, mr)[0];
  EXPECT_EQ(job.taskId, "mr-brain");
  // The workers take it at once and, with no model configured, cannot complete it.
  EXPECT_NE(job.state, storage::JobState::Succeeded);

  // Once the watcher's cursor has passed the CT's StableSeries event, the CT has been judged.
  const int64_t ctStable = stableSeq(orthanc, ct);
  ASSERT_GE(ctStable, 0);
  ASSERT_TRUE(eventually([&] { return persistedCursor(orthanc) >= ctStable; }));
  EXPECT_TRUE(jobsFor(orthanc, ct).empty());
  EXPECT_EQ(jobsFor(orthanc, mr).size(), 1u) << "replay must not duplicate the job";
}

TEST(Watch, SeriesThatBecameStableWhileThePluginWasDownIsReplayed)
{
  OrthancServer orthanc(withMrTask()); // the plugin's first start sets its cursor
  ASSERT_TRUE(eventually([&] { return storedCursor(orthanc).has_value(); })) << orthanc.log();
  orthanc.stop();

  auto without = withMrTask();
  without.loadPlugin = false;
  orthanc.reconfigure(without);
  orthanc.start();
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / kMrSeries).exitCode, 0);
  const std::string mr = seriesIdOf(orthanc, "MR");
  ASSERT_GE(stableSeq(orthanc, mr), 0);
  orthanc.stop();

  orthanc.reconfigure(withMrTask());
  orthanc.start();
  ASSERT_TRUE(eventually([&] { return jobsFor(orthanc, mr).size() == 1; })) << orthanc.log();
}

// Installing the plugin on an archive must not queue its whole history unless asked to.
TEST(Watch, AFirstStartLeavesTheSeriesAlreadyStoredAloneUnlessAsked)
{
  auto without = withMrTask();
  without.loadPlugin = false;
  OrthancServer orthanc(without);
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / kMrSeries).exitCode, 0);
  const std::string mr = seriesIdOf(orthanc, "MR");
  const int64_t stable = stableSeq(orthanc, mr);
  ASSERT_GE(stable, 0);
  orthanc.stop();

  orthanc.reconfigure(withMrTask());
  orthanc.start();
  ASSERT_TRUE(eventually([&] { return persistedCursor(orthanc) >= stable; })) << orthanc.log();
  EXPECT_NE(orthanc.log().find("changes already in Orthanc's log are not replayed"),
            std::string::npos);
  EXPECT_TRUE(jobsFor(orthanc, mr).empty());
  orthanc.stop();

  // Iris.ProcessExistingSeries on a fresh Iris database replays the log from its beginning.
  for (const char* suffix : {"", "-wal", "-shm"})
  {
    std::filesystem::remove(databaseOf(orthanc).string() + suffix);
  }
  auto asked = withMrTask();
  asked.configuration["Iris"]["ProcessExistingSeries"] = true;
  orthanc.reconfigure(asked);
  orthanc.start();
  ASSERT_TRUE(eventually([&] { return jobsFor(orthanc, mr).size() == 1; })) << orthanc.log();
}

TEST(Watch, ABrokenStoredTaskDoesNotKeepASeriesFromTheOthers)
{
  OrthancServer orthanc(withMrTask());
  orthanc.stop();
  {
    storage::Database database(databaseOf(orthanc));
    storage::TaskStore(database).upsert("broken", "{\"classes\": ", "api", 0);
  }
  orthanc.start();
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / kMrSeries).exitCode, 0);
  const std::string mr = seriesIdOf(orthanc, "MR");
  ASSERT_TRUE(eventually([&] { return jobsFor(orthanc, mr).size() == 1; })) << orthanc.log();
  EXPECT_EQ(jobsFor(orthanc, mr)[0].taskId, "mr-brain");
  EXPECT_NE(orthanc.log().find("task \"broken\" is skipped for series " + mr), std::string::npos)
      << orthanc.log();
  EXPECT_EQ(orthanc.client().get("/iris/health").status, 200);
}
} // namespace
} // namespace iris::test
