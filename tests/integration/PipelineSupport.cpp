#include "tests/integration/PipelineSupport.h"

#include "dicom/Nifti.h"
#include "dicom/SeriesWriter.h"
#include "storage/JobStore.h"
#include "tests/support/Dicom3Tools.h"
#include "tests/support/Process.h"
#include "tests/support/SharedData.h"

#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <thread>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;
} // namespace

const std::filesystem::path& tinyModel(int patchSize)
{
  static TempDir folder;
  static std::map<int, std::filesystem::path> models;
  auto& model = models[patchSize];
  if (model.empty())
  {
    const auto path = folder / ("tiny" + std::to_string(patchSize) + ".pt");
    const auto result = runProcess({IRIS_CLI_PATH, "import-checkpoint",
                                    (sharedDir() / "parity" / "iris_tiny.pt").string(),
                                    path.string(), "--patch-size", std::to_string(patchSize)});
    EXPECT_EQ(result.exitCode, 0) << result.output;
    model = path;
  }
  return model;
}

Json hippocampusTask(const std::string& strategy, const std::vector<std::string>& referenceCases)
{
  Json references = Json::array();
  for (const auto& id : referenceCases)
  {
    references.push_back({{"image", hippocampus("images", id).string()},
                          {"labels", hippocampus("labels", id).string()},
                          {"classes", {{"Anterior", 1}, {"Posterior", 2}}}});
  }
  return {{"id", "hippo"},
          {"match", {{"Modality", "MR"}, {"MinSlices", 10}}},
          {"strategy", strategy},
          {"classes", Json::array({{{"name", "Anterior"},
                                    {"type", {{"value", "5976003"}, {"meaning", "Hippocampus"}}},
                                    {"colour", {230, 80, 60}}},
                                   {{"name", "Posterior"}, {"colour", {60, 120, 230}}}})},
          {"references", references}};
}

void copyReferenceToConfigurationFolder(const OrthancServer& orthanc)
{
  const auto refs = orthanc.folder() / "refs";
  std::filesystem::create_directories(refs);
  for (const char* kind : {"images", "labels"})
  {
    std::filesystem::copy_file(hippocampus(kind, "hippocampus_001"),
                               refs / (std::string(kind) + ".nii.gz"));
  }
}

Json configurationFolderTask(const std::string& id)
{
  Json document = hippocampusTask();
  document["id"] = id;
  document["references"] = Json::array({{{"image", "refs/images.nii.gz"},
                                         {"labels", "refs/labels.nii.gz"},
                                         {"classes", {{"Anterior", 1}, {"Posterior", 2}}}}});
  return document;
}

void expectErrorAnswer(const HttpResponse& response, int status, const std::string& fragment)
{
  EXPECT_EQ(response.status, status) << response.body;
  const auto answer = Json::parse(response.body, nullptr, false);
  ASSERT_TRUE(answer.is_object() && answer.contains("error")) << response.body;
  EXPECT_NE(answer["error"].get<std::string>().find(fragment), std::string::npos)
      << "expected \"" << fragment << "\" in " << answer["error"];
}

OrthancOptions pipelineOptions(const std::filesystem::path& model, const Json& tasks,
                               const Json& iris)
{
  OrthancOptions options;
  Json section = {{"ModelPath", model.string()}, {"Device", "cpu"}, {"Threads", 1}, {"Workers", 1},
                  {"RetryDelaySeconds", 1},      {"Tasks", tasks}};
  section.merge_patch(iris);
  options.configuration = {{"Iris", section}};
  return options;
}

dicom::SegSource writeQuerySeries(const std::string& caseId, const std::filesystem::path& folder)
{
  dicom::SeriesWriteOptions options;
  options.modality = "MR";
  options.seriesDescription = "Query " + caseId;
  dicom::writeSeries(dicom::readNiftiImage(hippocampus("images", caseId)), folder, options);
  return dicom::loadSegSource(folder);
}

std::string orthancSeriesId(const OrthancServer& orthanc, const std::string& seriesInstanceUid)
{
  const auto found =
      orthanc.client()
          .post("/tools/find",
                Json{{"Level", "Series"}, {"Query", {{"SeriesInstanceUID", seriesInstanceUid}}}}
                    .dump())
          .json();
  return found.empty() ? std::string() : found[0].get<std::string>();
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds timeout)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline)
  {
    if (condition())
    {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return condition();
}

std::filesystem::path pluginDatabase(const OrthancServer& orthanc)
{
  return orthanc.configuration()["Iris"]["DatabasePath"].get<std::string>();
}

std::vector<storage::Job> jobsOfSeries(const OrthancServer& orthanc, const std::string& seriesId)
{
  storage::Database database(pluginDatabase(orthanc));
  storage::JobFilter filter;
  filter.seriesId = seriesId;
  return storage::JobStore(database).list(filter);
}

std::vector<storage::Job> jobsInState(const OrthancServer& orthanc, storage::JobState state)
{
  storage::Database database(pluginDatabase(orthanc));
  storage::JobFilter filter;
  filter.state = state;
  filter.limit = 1000;
  return storage::JobStore(database).list(filter);
}

int64_t countRows(const OrthancServer& orthanc, const std::string& sql, const std::string& value)
{
  storage::Database database(pluginDatabase(orthanc));
  auto query = database.prepare(sql);
  if (!value.empty())
  {
    query.bind(1, value);
  }
  query.step();
  return query.columnInt(0);
}

storage::Job finishedJob(const OrthancServer& orthanc, const std::string& seriesId,
                         std::chrono::seconds timeout)
{
  std::vector<storage::Job> jobs;
  const bool ended = waitUntil(
      [&]
      {
        jobs = jobsOfSeries(orthanc, seriesId);
        return jobs.size() == 1 && (jobs[0].state == storage::JobState::Succeeded ||
                                    jobs[0].state == storage::JobState::Failed);
      },
      timeout);
  EXPECT_TRUE(ended) << "no finished job for series " << seriesId << " within " << timeout.count()
                     << " s; Orthanc log:\n"
                     << orthanc.log();
  return jobs.empty() ? storage::Job{} : jobs[0];
}

std::vector<std::string> segsBeside(const OrthancServer& orthanc, const std::string& series)
{
  const std::string study = orthanc.client().get("/series/" + series).json()["ParentStudy"];
  std::vector<std::string> segs;
  for (const auto& series : orthanc.client().get("/studies/" + study + "/series").json())
  {
    if (series["MainDicomTags"].value("Modality", "") == "SEG")
    {
      segs.push_back(series["ID"].get<std::string>());
      expectConformantSeg(orthanc, segs.back());
    }
  }
  return segs;
}

void expectConformantSeg(const OrthancServer& orthanc, const std::string& segSeries)
{
  TempDir temp;
  for (const auto& instance : orthanc.client().get("/series/" + segSeries).json()["Instances"])
  {
    const auto bytes = instanceBytes(orthanc, instance.get<std::string>());
    std::ofstream(temp / "seg.dcm", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    EXPECT_EQ(dciodvfyErrors(temp / "seg.dcm"), std::vector<std::string>{})
        << "SEG instance " << instance << " of series " << segSeries;
  }
}

std::string segInstanceOf(const OrthancServer& orthanc, const std::string& segSeries)
{
  const auto instances = orthanc.client().get("/series/" + segSeries).json()["Instances"];
  return instances.size() == 1 ? instances[0].get<std::string>() : std::string();
}

std::vector<uint8_t> instanceBytes(const OrthancServer& orthanc, const std::string& instance)
{
  const auto body = orthanc.client().get("/instances/" + instance + "/file").body;
  return {body.begin(), body.end()};
}

std::pair<std::string, dicom::SegSource> sendQuery(const OrthancServer& orthanc, const TempDir& dir,
                                                   const std::string& name)
{
  auto source = writeQuerySeries(kQueryCase, dir / name);
  EXPECT_EQ(orthanc.storescu(dir / name).exitCode, 0);
  return {orthancSeriesId(orthanc, source.series.seriesInstanceUid), std::move(source)};
}

QueryServer::QueryServer(const Json& iris)
    : orthanc(pipelineOptions(tinyModel(kFastPatch), Json::array(), iris))
{
  copyReferenceToConfigurationFolder(orthanc);
  std::tie(series, source) = sendQuery(orthanc, queryDir, "query");
}
} // namespace iris::test
