// Tasks in the pipeline: several per series, memory bank, Orthanc references, start-up warnings.
#include "dicom/Nifti.h"
#include "dicom/SegLabelAlignment.h"
#include "dicom/SegReader.h"
#include "dicom/SegTerminology.h"
#include "dicom/SegWriter.h"
#include "storage/JobStore.h"
#include "storage/TaskStore.h"
#include "tests/integration/PipelineSupport.h"
#include "tests/support/SharedData.h"

#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;
using storage::JobState;
using namespace std::chrono_literals;

TEST(Pipeline, AnOrthancSeriesWithItsSegServesAsReference)
{
  OrthancServer orthanc(pipelineOptions(tinyModel(kFastPatch), Json::array()));
  TempDir dir;
  const auto reference = writeQuerySeries("hippocampus_001", dir / "reference");
  ASSERT_EQ(orthanc.storescu(dir / "reference").exitCode, 0);
  const auto labels =
      dicom::alignLabelsToGrid(dicom::readNiftiLabels(hippocampus("labels", "hippocampus_001")),
                               reference.series.image.geometry, 1e-3);
  ASSERT_TRUE(labels);
  const auto seg = dicom::writeSeg(*labels,
                                   {dicom::describeSegmentByName(1, "Anterior", "manual", "1"),
                                    dicom::describeSegmentByName(2, "Posterior", "manual", "1")},
                                   reference.series, reference.attributes);
  const auto stored =
      orthanc.client()
          .post("/instances", std::string(seg.begin(), seg.end()), "application/dicom")
          .json();
  const std::string referenceSeries = orthancSeriesId(orthanc, reference.series.seriesInstanceUid);
  orthanc.stop();

  Json task = hippocampusTask();
  task["references"] = Json::array({{{"series", referenceSeries},
                                     {"seg", stored["ID"]},
                                     {"classes", {{"Anterior", 1}, {"Posterior", 2}}}}});
  orthanc.reconfigure(pipelineOptions(tinyModel(kFastPatch), Json::array({task})));
  orthanc.start();
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  const auto job = finishedJob(orthanc, series, 120s);
  EXPECT_EQ(job.state, JobState::Succeeded) << job.error.value_or("");
  EXPECT_EQ(countRows(orthanc, "SELECT COUNT(*) FROM reference_embeddings", ""), 1);
  EXPECT_EQ(segsBeside(orthanc, series).size(), 1u);
}

TEST(Pipeline, EveryMatchingTaskRunsAndMemoryBankTasksNeedNoReference)
{
  const Json bank = Json::parse(R"({"id": "bank", "match": {"Modality": "MR"},
      "strategy": "memory-bank",
      "classes": [{"name": "Row one", "memoryBank": 1}, {"name": "Row three", "memoryBank": "3"}]})");
  const Json unknown = Json::parse(R"({"id": "unknown-bank", "match": {"Modality": "MR"},
      "classes": [{"name": "Nowhere", "memoryBank": "nowhere:thing"}]})");
  OrthancServer orthanc(
      pipelineOptions(tinyModel(kFastPatch), Json::array({bank, unknown}), {{"MaxAttempts", 1}}));
  TempDir dir;
  const auto [series, source] = sendQuery(orthanc, dir, "query");
  std::vector<storage::Job> jobs;
  ASSERT_TRUE(waitUntil(
      [&, &series = series]
      {
        jobs = jobsOfSeries(orthanc, series);
        return jobs.size() == 2 && jobs[0].state != JobState::Queued &&
               jobs[0].state != JobState::Running && jobs[1].state != JobState::Queued &&
               jobs[1].state != JobState::Running;
      },
      120s))
      << orthanc.log();
  for (const auto& job : jobs)
  {
    if (job.taskId == "bank")
    {
      EXPECT_EQ(job.state, JobState::Succeeded) << job.error.value_or("");
    }
    else
    {
      EXPECT_EQ(job.state, JobState::Failed);
      EXPECT_NE(job.error.value_or("").find("\"nowhere:thing\" is not in the model"),
                std::string::npos)
          << job.error.value_or("");
    }
  }
  const auto segs = segsBeside(orthanc, series);
  ASSERT_EQ(segs.size(), 1u);
  const auto content =
      dicom::readSegBuffer(instanceBytes(orthanc, segInstanceOf(orthanc, segs[0])), source.series);
  ASSERT_EQ(content.segments.size(), 2u);
  EXPECT_EQ(content.segments[1].description.label, "Row three");
}

TEST(Pipeline, ReferenceWithAnUnknownClassDisablesTheTaskWithAWarning)
{
  Json task = hippocampusTask();
  task["references"][0]["classes"] = {{"Anterior", 1}, {"Posterior", 2}, {"Tail", 3}};
  OrthancServer orthanc(pipelineOptions(tinyModel(kFastPatch), Json::array({task})));
  const std::string log = orthanc.log();
  EXPECT_NE(log.find("\"Tail\" is not a class of task \"hippo\""), std::string::npos) << log;
  storage::Database database(pluginDatabase(orthanc));
  EXPECT_FALSE(storage::TaskStore(database).find("hippo"));
}

TEST(Pipeline, UndeclaredStatusMetadataIsReportedOnce)
{
  auto options = pipelineOptions(tinyModel(kFastPatch), Json::array({hippocampusTask()}));
  options.configuration["UserMetadata"] = nullptr; // merge_patch: remove the declaration
  OrthancServer orthanc(options);
  EXPECT_NE(orthanc.log().find("UserMetadata \"IrisStatus\" is not declared"), std::string::npos)
      << orthanc.log();
}
} // namespace
} // namespace iris::test

namespace iris::test
{
namespace
{
TEST(Pipeline, ASeriesOverTheVolumeCapFailsWithItsSize)
{
  Json ctTask = hippocampusTask();
  ctTask["id"] = "ct";
  ctTask["match"] = {{"Modality", "CT"}};
  OrthancServer orthanc(pipelineOptions(tinyModel(kFastPatch), Json::array({ctTask}),
                                        {{"MaxVolumeMegavoxels", 1}, {"MaxAttempts", 1}}));
  // 198 x 202 x 59 = 2,359,764 voxels, over 2^20.
  ASSERT_EQ(orthanc.storescu(sharedDataDir() / "sts_sarcoma/dicom/STS_001/CT/image").exitCode, 0);
  const auto series =
      orthanc.client()
          .post("/tools/find", Json{{"Level", "Series"}, {"Query", {{"Modality", "CT"}}}}.dump())
          .json();
  ASSERT_EQ(series.size(), 1u);
  const auto failed = finishedJob(orthanc, series[0].get<std::string>(), std::chrono::seconds(120));
  EXPECT_EQ(failed.state, storage::JobState::Failed);
  ASSERT_TRUE(failed.error);
  EXPECT_NE(failed.error->find("2359764 voxels"), std::string::npos) << *failed.error;
  EXPECT_NE(failed.error->find("over the cap of 1048576 voxels"), std::string::npos)
      << *failed.error;
  EXPECT_EQ(orthanc.client().get("/iris/health").status, 200);
}
} // namespace
} // namespace iris::test
