#include "OrthancPlugin/JobLog.h"

#include <gtest/gtest.h>

namespace iris::plugin
{
namespace
{
TEST(JobLog, OneLineWithEveryFieldInOrder)
{
  storage::Job job;
  job.id = 12;
  job.seriesId = "s-1";
  job.taskId = "hippo";
  job.attempts = 2;
  job.maxAttempts = 3;
  EXPECT_EQ(jobTransitionLine(job, "queued", 0.0),
            "job=12 series=s-1 task=hippo state=queued attempt=2/3 seconds=0.000");
  EXPECT_EQ(jobTransitionLine(job, "failed", 1.23456, "bad \"slice\"\nspacing"),
            "job=12 series=s-1 task=hippo state=failed attempt=2/3 seconds=1.235 "
            "reason=\"bad \\\"slice\\\" spacing\"");
}

TEST(JobLog, StatusValuesAreCompact)
{
  EXPECT_EQ(seriesStatusValue("running"), "running");
  EXPECT_EQ(seriesStatusValue("done", "abc"), "done: abc");
  const auto failed = seriesStatusValue("failed", std::string(500, 'x') + "\nmore");
  EXPECT_EQ(failed, "failed: " + std::string(200, 'x'));
}
} // namespace
} // namespace iris::plugin
