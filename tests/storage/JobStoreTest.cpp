#include "storage/JobHistory.h"
#include "storage/JobStore.h"
#include "storage/StorageError.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace iris::storage
{
namespace
{
class JobStoreTest : public ::testing::Test
{
protected:
  JobStoreTest() : database_(dir_ / "iris.sqlite"), jobs_(database_)
  {
    database_.execute("INSERT INTO tasks (id, definition, origin, created_at, updated_at) "
                      "VALUES ('hippocampus', '{}', 'api', 0, 0), ('liver', '{}', 'api', 0, 0)");
  }

  static NewJob job(const std::string& series, const std::string& task = "hippocampus")
  {
    return {series, task, "model-a", 0, 3, {}};
  }

  test::TempDir dir_;
  Database database_;
  JobStore jobs_;
};

TEST_F(JobStoreTest, EnqueueIsIdempotentPerSeriesTaskAndModel)
{
  const auto first = jobs_.enqueue(job("s1"), 100);
  const auto again = jobs_.enqueue(job("s1"), 200);
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(first.id, again.id);
  EXPECT_TRUE(jobs_.enqueue(job("s1", "liver"), 300).created);
  auto otherModel = job("s1");
  otherModel.modelId = "model-b";
  EXPECT_TRUE(jobs_.enqueue(otherModel, 300).created);
  EXPECT_EQ(jobs_.countByState()[JobState::Queued], 3);
}

TEST_F(JobStoreTest, ClaimTakesHighestPriorityThenOldestAndCountsTheAttempt)
{
  const auto low = jobs_.enqueue(job("low"), 1).id;
  auto urgentJob = job("urgent");
  urgentJob.priority = 5;
  const auto urgent = jobs_.enqueue(urgentJob, 2).id;
  const auto claimed = jobs_.claimNext(10);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, urgent);
  EXPECT_EQ(claimed->state, JobState::Running);
  EXPECT_EQ(claimed->attempts, 1);
  EXPECT_EQ(claimed->startedAt, 10);
  EXPECT_EQ(jobs_.claimNext(11)->id, low);
  EXPECT_FALSE(jobs_.claimNext(12));
}

TEST_F(JobStoreTest, SucceedRecordsTheResultAtomically)
{
  const auto id = jobs_.enqueue(job("s1"), 1).id;
  jobs_.claimNext(2);
  EXPECT_TRUE(jobs_.succeed(id, {"orthanc-seg-id", "1.2.3", R"({"total": 1.5})"}, 3));
  const auto done = jobs_.find(id);
  EXPECT_EQ(done->state, JobState::Succeeded);
  EXPECT_EQ(done->finishedAt, 3);
  auto result = database_.prepare("SELECT seg_instance_id, source_series, timings FROM results "
                                  "WHERE job_id = ?");
  result.bind(1, id);
  ASSERT_TRUE(result.step());
  EXPECT_EQ(result.columnText(0), "orthanc-seg-id");
  EXPECT_EQ(result.columnText(1), "s1");
  // A second success (e.g. a duplicate worker) records nothing.
  EXPECT_FALSE(jobs_.succeed(id, {"other", "1.2.4", "{}"}, 4));
}

TEST_F(JobStoreTest, MetricTotalsCountEverySuccessAndOutliveTheirTask)
{
  JobHistory history(database_);
  EXPECT_EQ(history.segsWritten(), 0);
  EXPECT_EQ(history.inferenceSeconds(), 0.0);
  for (const auto* series : {"s1", "s2"})
  {
    const auto id = jobs_.enqueue(job(series), 1).id;
    ASSERT_EQ(jobs_.claimNext(2)->id, id);
    ASSERT_TRUE(jobs_.succeed(id, {"seg", "uid", R"({"segment": 1.25, "total": 2})"}, 3));
  }
  const auto missing = jobs_.enqueue(job("s3"), 1).id;
  ASSERT_EQ(jobs_.claimNext(2)->id, missing);
  ASSERT_TRUE(jobs_.succeed(missing, {"seg", "uid", "{}"}, 3)); // no "segment" timing
  EXPECT_EQ(history.segsWritten(), 3);
  EXPECT_DOUBLE_EQ(history.inferenceSeconds(), 2.5);

  ASSERT_EQ(history.removeTask("hippocampus"), 0);
  EXPECT_EQ(history.resultCount(), 0);
  EXPECT_EQ(history.segsWritten(), 3) << "a counter never falls";
  EXPECT_DOUBLE_EQ(history.inferenceSeconds(), 2.5);
}

TEST_F(JobStoreTest, FailuresBackOffThenFailWithTheReason)
{
  const auto id = jobs_.enqueue(job("s1"), 0).id;
  const RetryPolicy policy{1000, 2.0, 10'000};
  jobs_.claimNext(0);
  EXPECT_EQ(jobs_.fail(id, "decode error", policy, 0), JobState::Queued);
  EXPECT_EQ(jobs_.find(id)->runAfter, 1000);
  EXPECT_FALSE(jobs_.claimNext(999)) << "not due before its back-off";
  ASSERT_TRUE(jobs_.claimNext(1000));
  EXPECT_EQ(jobs_.fail(id, "decode error", policy, 1000), JobState::Queued);
  EXPECT_EQ(jobs_.find(id)->runAfter, 1000 + 2000);
  ASSERT_TRUE(jobs_.claimNext(3000));
  EXPECT_EQ(jobs_.fail(id, "decode error again", policy, 3000), JobState::Failed);
  const auto failed = jobs_.find(id);
  EXPECT_EQ(failed->error, "decode error again");
  EXPECT_EQ(failed->attempts, 3);
  EXPECT_FALSE(jobs_.claimNext(1'000'000)) << "a failed job never blocks or returns";
}

TEST_F(JobStoreTest, AFailedJobDoesNotBlockTheQueue)
{
  const auto bad = jobs_.enqueue({"bad", "hippocampus", "m", 9, 1, {}}, 0).id;
  const auto good = jobs_.enqueue(job("good"), 0).id;
  jobs_.claimNext(0);
  EXPECT_EQ(jobs_.fail(bad, "broken series", {}, 0), JobState::Failed);
  EXPECT_EQ(jobs_.claimNext(0)->id, good);
}

TEST_F(JobStoreTest, RetryAndCancel)
{
  const auto id = jobs_.enqueue({"s1", "hippocampus", "m", 0, 1, {}}, 0).id;
  EXPECT_FALSE(jobs_.retry(id, 1)) << "a queued job has nothing to retry";
  jobs_.claimNext(1);
  jobs_.fail(id, "boom", {}, 2);
  EXPECT_TRUE(jobs_.retry(id, 3));
  const auto retried = jobs_.find(id);
  EXPECT_EQ(retried->state, JobState::Queued);
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_TRUE(jobs_.cancel(id, 4));
  EXPECT_FALSE(jobs_.cancel(id, 5));
  EXPECT_FALSE(jobs_.claimNext(6));
  jobs_.retry(id, 7);
  ASSERT_TRUE(jobs_.claimNext(8));
  EXPECT_TRUE(jobs_.cancel(id, 9));
  EXPECT_FALSE(jobs_.succeed(id, {"x", "y", "{}"}, 10)) << "cancelled while running: no result";
}

TEST_F(JobStoreTest, RecoverPutsInterruptedJobsBackAndKeepsTheirSegUids)
{
  const auto id = jobs_.enqueue(job("s1"), 0).id;
  jobs_.claimNext(0);
  const auto reserved = jobs_.reserveSegUids(id, "1.2.series", "1.2.instance", 1);
  EXPECT_EQ(reserved.segInstanceUid, "1.2.instance");
  const auto recovered = jobs_.recoverInterrupted(5);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].id, id);
  EXPECT_EQ(recovered[0].state, JobState::Queued);
  const auto again = jobs_.claimNext(5);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  const auto kept = jobs_.reserveSegUids(id, "9.9.series", "9.9.instance", 6);
  EXPECT_EQ(kept.segSeriesUid, "1.2.series");
  EXPECT_EQ(kept.segInstanceUid, "1.2.instance");
}

TEST_F(JobStoreTest, RerunMakesANewGenerationOnlyWhenIdle)
{
  const auto first = jobs_.enqueue(job("s1"), 0).id;
  EXPECT_EQ(jobs_.rerun(job("s1"), 1).id, first) << "still queued";
  jobs_.claimNext(1);
  jobs_.succeed(first, {"seg", "uid", "{}"}, 2);
  const auto second = jobs_.rerun(job("s1"), 3);
  EXPECT_TRUE(second.created);
  EXPECT_EQ(jobs_.find(second.id)->generation, 1);
  EXPECT_EQ(jobs_.enqueue(job("s1"), 4).id, second.id);
}

TEST_F(JobStoreTest, ARerunKeepsTheStrategyItAskedFor)
{
  const auto first = jobs_.enqueue(job("s1"), 0).id;
  EXPECT_FALSE(jobs_.find(first)->strategy);
  jobs_.claimNext(1);
  jobs_.succeed(first, {"seg", "uid", "{}"}, 2);
  auto oneShot = job("s1");
  oneShot.strategy = "one-shot";
  const auto rerun = jobs_.rerun(oneShot, 3).id;
  EXPECT_EQ(jobs_.find(rerun)->strategy, std::optional<std::string>("one-shot"));
  EXPECT_EQ(jobs_.claimNext(4)->strategy, std::optional<std::string>("one-shot"));
}

TEST_F(JobStoreTest, DeferDoesNotSpendAnAttempt)
{
  const auto id = jobs_.enqueue(job("s1"), 0).id;
  jobs_.claimNext(0);
  jobs_.defer(id, 500, "series still growing", 1);
  const auto deferred = jobs_.find(id);
  EXPECT_EQ(deferred->state, JobState::Queued);
  EXPECT_EQ(deferred->attempts, 0);
  EXPECT_EQ(deferred->runAfter, 500);
}

TEST_F(JobStoreTest, ListFiltersAndCountsActiveJobs)
{
  jobs_.enqueue(job("s1"), 10);
  jobs_.enqueue(job("s2"), 20);
  jobs_.enqueue(job("s1", "liver"), 30);
  jobs_.claimNext(40);
  JobFilter byTask;
  byTask.taskId = "hippocampus";
  EXPECT_EQ(jobs_.list(byTask).size(), 2u);
  JobFilter bySeries;
  bySeries.seriesId = "s1";
  EXPECT_EQ(jobs_.list(bySeries).size(), 2u);
  JobFilter running;
  running.state = JobState::Running;
  EXPECT_EQ(jobs_.list(running).size(), 1u);
  JobFilter recent;
  recent.updatedSince = 25;
  EXPECT_EQ(jobs_.list(recent).size(), 2u);
  EXPECT_EQ(jobs_.countActiveForTask("hippocampus"), 2);
  EXPECT_THROW(parseJobState("exploded"), StorageError);
}

TEST_F(JobStoreTest, ConcurrentClaimsNeverShareAJob)
{
  constexpr int kJobs = 60;
  for (int i = 0; i < kJobs; ++i)
  {
    jobs_.enqueue(job("s" + std::to_string(i)), 0);
  }
  std::vector<std::vector<int64_t>> claimedBy(4);
  std::vector<std::thread> workers;
  for (auto& claimed : claimedBy)
  {
    workers.emplace_back([&] {
      while (auto next = jobs_.claimNext(1))
      {
        claimed.push_back(next->id);
        jobs_.succeed(next->id, {"seg", "uid", "{}"}, 2);
      }
    });
  }
  for (auto& worker : workers)
  {
    worker.join();
  }
  std::set<int64_t> unique;
  size_t total = 0;
  for (const auto& claimed : claimedBy)
  {
    unique.insert(claimed.begin(), claimed.end());
    total += claimed.size();
  }
  EXPECT_EQ(total, static_cast<size_t>(kJobs));
  EXPECT_EQ(unique.size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(jobs_.countByState()[JobState::Succeeded], kJobs);
}
} // namespace
} // namespace iris::storage
