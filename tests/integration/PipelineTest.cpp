// The pipeline against a real Orthanc: arrival -> job -> SEG in the archive, exactly once.
#include "dicom/LabelOverlap.h"
#include "dicom/Nifti.h"
#include "dicom/SegLabelAlignment.h"
#include "dicom/SegReader.h"
#include "storage/JobStore.h"
#include "storage/TaskStore.h"
#include "tests/dicom/SegTestSupport.h"
#include "tests/integration/PipelineSupport.h"
#include "tests/support/SharedData.h"

#include <cstdlib>
#include <future>
#include <gtest/gtest.h>
#include <thread>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;
using storage::JobState;
using namespace std::chrono_literals;

const std::string kResultsOfSeries = "SELECT COUNT(*) FROM results WHERE source_series = ?";

bool waitForRunningJob(const OrthancServer& orthanc, const std::string& series)
{
  return waitUntil(
      [&]
      {
        const auto jobs = jobsOfSeries(orthanc, series);
        return jobs.size() == 1 && jobs[0].state == JobState::Running;
      },
      60s);
}

TEST(Pipeline, ArrivalStoresOneValidSegInTheSameStudy)
{
  OrthancServer orthanc(pipelineOptions(tinyModel(kFastPatch), Json::array({hippocampusTask()})));
  TempDir dir;
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  ASSERT_FALSE(series.empty());

  const auto job = finishedJob(orthanc, series, 120s);
  ASSERT_EQ(job.state, JobState::Succeeded) << job.error.value_or("") << orthanc.log();
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(countRows(orthanc, kResultsOfSeries, series), 1);
  EXPECT_EQ(countRows(orthanc, "SELECT COUNT(*) FROM reference_embeddings", ""), 1)
      << "the reference embedding is cached on first use";
  std::cout << "stable -> SEG stored: " << (*job.finishedAt - job.createdAt) / 1000.0
            << " s (tiny model, patch " << kFastPatch << ")\n";

  const auto segs = segsBeside(orthanc, series);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(orthanc.client().get("/series/" + series + "/metadata/IrisStatus").body,
            "done: " + segs[0]);

  const std::string instance = segInstanceOf(orthanc, segs[0]);
  const auto bytes = instanceBytes(orthanc, instance); // segsBeside ran dciodvfy on it

  const auto tags = orthanc.client().get("/instances/" + instance + "/tags?simplify").json();
  EXPECT_EQ(tags["SeriesDescription"], "Iris: hippo");
  EXPECT_EQ(tags["SeriesInstanceUID"], *job.segSeriesUid) << "the reserved UID was used";
  EXPECT_EQ(tags["ReferencedSeriesSequence"][0]["SeriesInstanceUID"],
            source.series.seriesInstanceUid);
  const auto content = dicom::readSegBuffer(bytes, source.series);
  ASSERT_EQ(content.segments.size(), 2u);
  EXPECT_EQ(content.segments[0].description.label, "Anterior");
  EXPECT_EQ(content.segments[0].description.type.meaning, "Hippocampus");
  EXPECT_EQ(content.segments[1].description.label, "Posterior");
}

TEST(Pipeline, DefaultModelSegmentsBothPartsOfAValidationCaseAboveTheDiceFloor)
{
  constexpr double kDiceFloor = 0.7;
  // IRIS_MODEL (as in scripts/demo.sh) tries another checkpoint against the same floor.
  const char* other = std::getenv("IRIS_MODEL");
  const auto model = other ? std::filesystem::path(other)
                           : std::filesystem::path(IRIS_MODELS_DIR) / "iris-default.pt";
  ASSERT_TRUE(std::filesystem::is_regular_file(model))
      << model << " is missing: the training issue ships it";
  OrthancServer orthanc(pipelineOptions(
      model, Json::array({hippocampusTask("ensemble", {"hippocampus_001", "hippocampus_003"})}),
      {{"Threads", 2}}));
  TempDir dir;
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  const auto job = finishedJob(orthanc, series, 600s);
  ASSERT_EQ(job.state, JobState::Succeeded) << job.error.value_or("");
  std::cout << "stable -> SEG stored: " << (*job.finishedAt - job.createdAt) / 1000.0
            << " s (default model)\n";

  const auto segs = segsBeside(orthanc, series);
  ASSERT_EQ(segs.size(), 1u);
  const auto content =
      dicom::readSegBuffer(instanceBytes(orthanc, segInstanceOf(orthanc, segs[0])), source.series);
  const auto known =
      dicom::alignLabelsToGrid(dicom::readNiftiLabels(hippocampus("labels", kQueryCase)),
                               source.series.image.geometry, 1e-3);
  ASSERT_TRUE(known) << "the label does not share the series' grid";
  const auto overlaps = dicom::compareLabels(*known, content.labels);
  ASSERT_EQ(overlaps.size(), 2u);
  // The floor holds for each part: the shipped model scores 0.81-0.84 on this case from the CLI
  // (models/README.md). A model that finds the whole hippocampus but ignores which part its
  // reference marks, as the earlier ones did, scores 0.1-0.6 on a part; an untrained network or
  // a broken pipeline about 0.05.
  for (const auto& overlap : overlaps)
  {
    std::cout << "label " << overlap.label << ": Dice " << overlap.dice() << "\n";
    EXPECT_GE(overlap.dice(), kDiceFloor) << "label " << overlap.label;
  }
}

TEST(Pipeline, AnUploadWhoseOutcomeWasLostIsAnsweredAlreadyStored)
{
  OrthancServer orthanc(pipelineOptions(tinyModel(kFastPatch), Json::array({hippocampusTask()})));
  TempDir dir;
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  const auto first = finishedJob(orthanc, series, 120s);
  ASSERT_EQ(first.state, JobState::Succeeded) << first.error.value_or("");

  // As if Orthanc died after storing the SEG but before the job was marked succeeded.
  {
    storage::Database database(pluginDatabase(orthanc));
    database.transaction(
        [&]
        {
          database.execute("DELETE FROM results");
          database.execute("UPDATE jobs SET state = 'queued', finished_at = NULL");
        });
  }
  const auto again = finishedJob(orthanc, series, 120s);
  ASSERT_EQ(again.state, JobState::Succeeded) << again.error.value_or("");
  EXPECT_EQ(again.segInstanceUid, first.segInstanceUid);
  EXPECT_EQ(segsBeside(orthanc, series).size(), 1u);
  storage::Database database(pluginDatabase(orthanc));
  auto timings = database.prepare("SELECT timings FROM results");
  ASSERT_TRUE(timings.step());
  EXPECT_EQ(Json::parse(timings.columnText(0))["uploadStatus"], "AlreadyStored");
}

TEST(Pipeline, KilledDuringInferenceRunsAgainWithExactlyOneSeg)
{
  OrthancServer orthanc(pipelineOptions(tinyModel(kSlowPatch), Json::array({hippocampusTask()})));
  TempDir dir;
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  ASSERT_TRUE(waitForRunningJob(orthanc, series)) << orthanc.log();
  std::this_thread::sleep_for(1s); // inside the network by now
  orthanc.kill9();
  const auto interrupted = jobsOfSeries(orthanc, series);
  ASSERT_EQ(interrupted.size(), 1u);
  ASSERT_EQ(interrupted[0].state, JobState::Running) << "the kill came too late to test anything";

  orthanc.start();
  const auto job = finishedJob(orthanc, series, 180s);
  EXPECT_EQ(job.state, JobState::Succeeded) << job.error.value_or("");
  EXPECT_EQ(job.id, interrupted[0].id);
  EXPECT_EQ(job.attempts, 2);
  EXPECT_NE(orthanc.log().find("queued again"), std::string::npos);
  EXPECT_NE(orthanc.log().find("interrupted: Orthanc stopped while it ran"), std::string::npos)
      << "the recovery is a transition of its own, with its log line";
  EXPECT_EQ(segsBeside(orthanc, series).size(), 1u);
  EXPECT_EQ(countRows(orthanc, kResultsOfSeries, series), 1);
}

TEST(Pipeline, AJobThatWasInterruptedOnItsLastAttemptFailsInsteadOfRunningForever)
{
  const auto options = pipelineOptions(tinyModel(kSlowPatch), Json::array({hippocampusTask()}),
                                       {{"MaxAttempts", 1}});
  OrthancServer orthanc(options);
  TempDir dir;
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  ASSERT_TRUE(waitForRunningJob(orthanc, series)) << orthanc.log();
  orthanc.kill9(); // as if the job itself took Orthanc down
  orthanc.start();
  const auto job = finishedJob(orthanc, series, 60s);
  EXPECT_EQ(job.state, JobState::Failed);
  EXPECT_NE(job.error.value_or("").find("attempts spent"), std::string::npos)
      << job.error.value_or("");
  EXPECT_EQ(
      orthanc.client().get("/series/" + series + "/metadata/IrisStatus").body.rfind("failed: ", 0),
      0u);
}

TEST(Pipeline, ShutdownDuringInferenceIsQuickAndTheJobRunsAfterTheRestart)
{
  OrthancServer orthanc(pipelineOptions(tinyModel(kSlowPatch), Json::array({hippocampusTask()}),
                                        {{"ShutdownGraceSeconds", 1}}));
  TempDir dir;
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  ASSERT_TRUE(waitForRunningJob(orthanc, series)) << orthanc.log();
  const auto start = std::chrono::steady_clock::now();
  orthanc.stop();
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  EXPECT_LT(seconds.count(), 10.0) << "Orthanc's shutdown waited for the whole inference";
  EXPECT_NE(orthanc.log().find("abandoned"), std::string::npos) << orthanc.log();

  orthanc.start();
  const auto job = finishedJob(orthanc, series, 180s);
  EXPECT_EQ(job.state, JobState::Succeeded) << job.error.value_or("");
  EXPECT_EQ(segsBeside(orthanc, series).size(), 1u);
}

TEST(Pipeline, TwentySeriesAtOnceGiveTwentySegs)
{
  constexpr int kSeries = 20;
  OrthancServer orthanc(
      pipelineOptions(tinyModel(kFastPatch), Json::array({hippocampusTask()}), {{"Workers", 2}}));
  TempDir dir;
  std::vector<std::string> uids;
  for (int i = 0; i < kSeries; ++i)
  {
    uids.push_back(
        writeQuerySeries(kQueryCase, dir / "all" / std::to_string(i)).series.seriesInstanceUid);
  }
  // One association per series, all at once (storescu sends one file after the other).
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::future<ProcessResult>> sends;
  for (int i = 0; i < kSeries; ++i)
  {
    sends.push_back(std::async(std::launch::async, [&, i]
                               { return orthanc.storescu(dir / "all" / std::to_string(i)); }));
  }
  for (auto& send : sends)
  {
    EXPECT_EQ(send.get().exitCode, 0);
  }
  ASSERT_TRUE(
      waitUntil([&] { return jobsInState(orthanc, JobState::Succeeded).size() == kSeries; }, 300s))
      << orthanc.log();
  std::cout << kSeries << " series sent and segmented in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s (2 workers, tiny model)\n";

  EXPECT_TRUE(jobsInState(orthanc, JobState::Failed).empty());
  EXPECT_EQ(countRows(orthanc, "SELECT COUNT(*) FROM jobs", ""), kSeries);
  EXPECT_EQ(countRows(orthanc, "SELECT COUNT(*) FROM results", ""), kSeries);
  // The reference is encoded once per worker at most (the two may miss the cache together);
  // every later job reads the cached embedding.
  EXPECT_EQ(countRows(orthanc, "SELECT COUNT(*) FROM reference_embeddings", ""), 1);
  EXPECT_LE(countRows(orthanc,
                      "SELECT SUM(json_extract(timings, '$.encodedReferences')) FROM results", ""),
            2);
  EXPECT_GE(countRows(orthanc,
                      "SELECT SUM(json_extract(timings, '$.cachedEmbeddings')) FROM results", ""),
            kSeries - 2);
  const auto segs =
      orthanc.client()
          .post("/tools/find", Json{{"Level", "Series"}, {"Query", {{"Modality", "SEG"}}}}.dump())
          .json();
  EXPECT_EQ(segs.size(), static_cast<size_t>(kSeries));
  for (const auto& uid : uids)
  {
    EXPECT_EQ(segsBeside(orthanc, orthancSeriesId(orthanc, uid)).size(), 1u) << "series " << uid;
  }
}

TEST(Pipeline, CorruptSeriesFailsWithItsReasonAndOthersStillRun)
{
  Json ctTask = hippocampusTask();
  ctTask["id"] = "ct";
  ctTask["match"] = {{"Modality", "CT"}, {"MinSlices", 4}};
  OrthancServer orthanc(pipelineOptions(
      tinyModel(kFastPatch), Json::array({ctTask, hippocampusTask()}), {{"MaxAttempts", 2}}));
  // Four slices with an uneven increment: a strict reader refuses it (data/dicom.json).
  const std::string corrupt = "dicom2nifti/failing/sliceincrement/001";
  ASSERT_EQ(dicomFixture(corrupt)["expected"]["outcome"], "reject");
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / corrupt).exitCode, 0);
  // Three CT slices: fails the ct task's MinSlices, so no task matches.
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / "dcmqi_seg/ct-3slice").exitCode, 0);
  TempDir dir;
  const auto [good, source] = sendQuery(orthanc, dir, "query");

  const auto cts =
      orthanc.client()
          .post("/tools/find", Json{{"Level", "Series"}, {"Query", {{"Modality", "CT"}}}}.dump())
          .json();
  ASSERT_EQ(cts.size(), 2u);
  std::string corruptId, unmatchedId;
  for (const auto& id : cts)
  {
    const auto instances = orthanc.client().get("/series/" + id.get<std::string>()).json();
    (instances["Instances"].size() == 4 ? corruptId : unmatchedId) = id.get<std::string>();
  }

  const auto failed = finishedJob(orthanc, corruptId, 120s);
  EXPECT_EQ(failed.state, JobState::Failed);
  EXPECT_EQ(failed.attempts, 2);
  ASSERT_TRUE(failed.error);
  EXPECT_NE(failed.error->find("slice"), std::string::npos) << *failed.error;
  const std::string status =
      orthanc.client().get("/series/" + corruptId + "/metadata/IrisStatus").body;
  EXPECT_EQ(status.rfind("failed: ", 0), 0u) << status;
  EXPECT_NE(orthanc.log().find("state=failed attempt=2/2"), std::string::npos);

  EXPECT_EQ(finishedJob(orthanc, good, 120s).state, JobState::Succeeded);
  const auto health = orthanc.client().get("/iris/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["jobs"]["failed"], 1) << health.body;
  EXPECT_EQ(health.json()["jobs"]["workers"], 1) << health.body;
  // The watcher judged every series once its replay cursor passed the last change.
  const int64_t last = orthanc.client().get("/changes?last").json()["Last"].get<int64_t>();
  ASSERT_TRUE(waitUntil(
      [&]
      {
        storage::Database database(pluginDatabase(orthanc));
        const auto cursor = storage::PropertyStore(database).get("orthanc.changes.cursor");
        return cursor && std::stoll(*cursor) >= last;
      },
      30s));
  EXPECT_TRUE(jobsOfSeries(orthanc, unmatchedId).empty());
}

} // namespace
} // namespace iris::test
