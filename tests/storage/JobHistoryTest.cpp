#include "storage/JobHistory.h"

#include "storage/JobStore.h"
#include "storage/ReferenceStore.h"
#include "storage/TaskStore.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

namespace iris::storage
{
namespace
{
class JobHistoryTest : public ::testing::Test
{
protected:
  JobHistoryTest() : database_(dir_ / "iris.sqlite"), jobs_(database_), history_(database_)
  {
    TaskStore(database_).upsert("hippo", "{}", "api", 0);
    ReferenceStore(database_).replaceForTask("hippo", {{"a", "b", "{}"}}, 0);
  }

  int64_t succeededJob(const std::string& series, const std::string& timings)
  {
    const auto id = jobs_.enqueue({series, "hippo", "model", 0, 3, {}}, 10).id;
    jobs_.claimNext(20);
    jobs_.succeed(id, {"seg-" + series, "1.2." + series, timings}, 30);
    return id;
  }

  test::TempDir dir_;
  Database database_;
  JobStore jobs_;
  JobHistory history_;
};

TEST_F(JobHistoryTest, ResultsAreReadBackPerJobAndNewestFirst)
{
  EXPECT_EQ(history_.resultCount(), 0);
  EXPECT_FALSE(history_.newestResult());
  const auto first = succeededJob("s1", R"({"segment": 1.5})");
  const auto second = succeededJob("s2", R"({"segment": 2.5})");
  EXPECT_EQ(history_.resultCount(), 2);
  const auto result = history_.resultOf(first);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->segInstanceId, "seg-s1");
  EXPECT_EQ(result->segSeriesUid, "1.2.s1");
  EXPECT_EQ(result->sourceSeries, "s1");
  EXPECT_EQ(result->timingsJson, R"({"segment": 1.5})");
  EXPECT_EQ(history_.newestResult()->jobId, second);
  EXPECT_FALSE(history_.resultOf(second + 1));
}

TEST_F(JobHistoryTest, RemovingATaskWithActiveJobsDeletesNothing)
{
  const auto done = succeededJob("s1", "{}");
  jobs_.enqueue({"s2", "hippo", "model", 0, 3, {}}, 40);
  EXPECT_EQ(history_.removeTask("hippo"), 1);
  EXPECT_TRUE(TaskStore(database_).find("hippo"));
  EXPECT_TRUE(history_.resultOf(done));
  EXPECT_EQ(history_.removeTask("unknown"), -1);
}

TEST_F(JobHistoryTest, RemovingATaskTakesItsFinishedJobsAndReferences)
{
  const auto done = succeededJob("s1", "{}");
  EXPECT_EQ(history_.removeTask("hippo"), 0);
  EXPECT_FALSE(TaskStore(database_).find("hippo"));
  EXPECT_FALSE(jobs_.find(done));
  EXPECT_FALSE(history_.resultOf(done));
  EXPECT_TRUE(ReferenceStore(database_).listForTask("hippo").empty());
}
} // namespace
} // namespace iris::storage
