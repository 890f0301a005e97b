// The rule tester and the preview (docs/admin-api.md) against a real Orthanc with the tiny model.
#include "dicom/Montage.h"
#include "dicom/SegReader.h"
#include "tests/integration/PipelineSupport.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <thread>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;

constexpr const char* kUnknownSeries = "00000000-00000000-00000000-00000000-00000000";

// Width and height from a PNG's IHDR chunk, after checking the signature; {0, 0} when it is not
// a PNG.
std::pair<uint32_t, uint32_t> pngSize(const std::string& png)
{
  const std::string signature = "\x89PNG\r\n\x1a\n";
  if (png.size() < 24 || png.compare(0, 8, signature) != 0 || png.compare(12, 4, "IHDR") != 0)
  {
    return {0, 0};
  }
  const auto bigEndian = [&png](size_t at)
  {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i)
    {
      value = (value << 8) | static_cast<uint8_t>(png[at + i]);
    }
    return value;
  };
  return {bigEndian(16), bigEndian(20)};
}

class TaskPreview : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    server_ = new QueryServer();
    series_ = &server_->series;
    source_ = &server_->source;
    orthanc_ = &server_->orthanc;
    // Tasks come after the series is stable, so the watcher queues nothing for them.
    waitUntil([] { return client().get("/series/" + *series_).json().value("IsStable", false); },
              std::chrono::seconds(30));
    // The watcher considers the series as soon as it is stable (a few milliseconds).
    std::this_thread::sleep_for(std::chrono::seconds(1));
    for (const auto& [id, match, enabled] : std::vector<std::tuple<std::string, Json, bool>>{
             {"match", {{"Modality", "MR"}, {"MinSlices", 10}}, true},
             {"mismatch",
              {{"Modality", "CT"}, {"SeriesDescription", "^liver"}, {"MinSlices", 10}},
              true},
             {"off", {{"Modality", "MR"}}, false},
             // Never chosen by the watcher: only previews and explicit runs use it.
             {"preview", {{"Modality", "CT"}}, true}})
    {
      auto document = configurationFolderTask(id);
      document["match"] = match;
      document["enabled"] = enabled;
      const auto created = client().post("/iris/tasks", document.dump());
      EXPECT_EQ(created.status, 200) << created.body;
    }
  }

  static void TearDownTestSuite() { delete server_; }

  static HttpClient client() { return server_->orthanc.client(); }
  static std::string body(const std::string& series, Json options = Json::object())
  {
    options["series"] = series;
    return options.dump();
  }

  static const Json* rule(const Json& answer, const std::string& name)
  {
    for (const auto& check : answer["rules"])
    {
      if (check["rule"] == name)
      {
        return &check;
      }
    }
    return nullptr;
  }

  static QueryServer* server_;
  // Shorthands into server_.
  static inline const std::string* series_ = nullptr;
  static inline const dicom::SegSource* source_ = nullptr;
  static inline const OrthancServer* orthanc_ = nullptr;
};

QueryServer* TaskPreview::server_ = nullptr;

TEST_F(TaskPreview, RuleTesterExplainsAMatch)
{
  const auto response = client().post("/iris/tasks/match/test", body(*series_));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto answer = response.json();
  EXPECT_EQ(answer["task"], "match");
  EXPECT_TRUE(answer["matches"].get<bool>()) << answer.dump(2);
  EXPECT_TRUE(answer["reasons"].empty());
  EXPECT_TRUE(answer["existingJob"].is_null());
  EXPECT_TRUE(answer["wouldQueue"].get<bool>());
  EXPECT_TRUE(answer["series"]["skipped"].is_null());
  EXPECT_EQ(answer["series"]["attributes"]["Modality"], "MR");
  EXPECT_EQ(answer["series"]["attributes"]["slices"], source_->series.slices.size());
  ASSERT_EQ(answer["rules"].size(), 2u) << answer.dump(2);
  const Json* modality = rule(answer, "Modality");
  ASSERT_NE(modality, nullptr);
  EXPECT_TRUE((*modality)["matched"].get<bool>());
  EXPECT_EQ((*modality)["tag"], "Modality (0008,0060)");
  EXPECT_EQ((*modality)["actual"], "\"MR\"");
  EXPECT_TRUE((*modality)["reason"].is_null());
  const Json* slices = rule(answer, "MinSlices");
  ASSERT_NE(slices, nullptr);
  EXPECT_EQ((*slices)["expected"], "at least 10 slices");
  EXPECT_EQ((*slices)["actual"], std::to_string(source_->series.slices.size()) + " slices");
}

TEST_F(TaskPreview, RuleTesterExplainsEveryFailingRule)
{
  const auto response = client().post("/iris/tasks/mismatch/test", body(*series_));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto answer = response.json();
  EXPECT_FALSE(answer["matches"].get<bool>());
  EXPECT_FALSE(answer["wouldQueue"].get<bool>());
  ASSERT_EQ(answer["reasons"].size(), 2u) << answer.dump(2);
  EXPECT_EQ(answer["reasons"][0], "Modality: expected one of [CT], series has \"MR\"");
  EXPECT_NE(answer["reasons"][1].get<std::string>().find("SeriesDescription: expected a match "
                                                         "for /^liver/, series has \"Query"),
            std::string::npos)
      << answer["reasons"][1];
  const Json* modality = rule(answer, "Modality");
  ASSERT_NE(modality, nullptr);
  EXPECT_FALSE((*modality)["matched"].get<bool>());
  EXPECT_EQ((*modality)["expected"], "one of [CT]");
  EXPECT_EQ("Modality: " + (*modality)["reason"].get<std::string>(), answer["reasons"][0]);
  EXPECT_TRUE((*rule(answer, "MinSlices"))["matched"].get<bool>()) << "passing rules are listed";

  const auto disabled = client().post("/iris/tasks/off/test", body(*series_)).json();
  EXPECT_FALSE(disabled["matches"].get<bool>());
  EXPECT_EQ(disabled["reasons"], Json::array({"task \"off\" is disabled"})) << disabled.dump(2);
  EXPECT_TRUE((*rule(disabled, "Modality"))["matched"].get<bool>());
}

TEST_F(TaskPreview, PreviewIsTheSegmentationAJobStoresButStoresNothing)
{
  const std::string url = "/iris/tasks/preview/preview";
  const auto response = client().post(url, body(*series_));
  ASSERT_EQ(response.status, 200) << response.body.substr(0, 500);
  EXPECT_EQ(response.headers.at("Content-Type"), "image/png");
  const auto [width, height] = pngSize(response.body);
  ASSERT_GT(width, 0u) << "not a PNG";

  const auto volumes = client().post(url, body(*series_, {{"format", "json"}}));
  ASSERT_EQ(volumes.status, 200) << volumes.body;

  // Nothing stored, no job: the task's rules never select the series, so any job or SEG of it
  // would be the preview's.
  EXPECT_TRUE(client().get("/iris/jobs?task=preview").json().empty());
  for (const auto& seg : segsBeside(*orthanc_, *series_))
  {
    EXPECT_NE(client().get("/series/" + seg).json()["MainDicomTags"]["SeriesDescription"],
              "Iris: preview");
  }

  // The job's SEG, drawn the same way, is the same picture: the preview is what a job stores.
  const auto run =
      client().post("/iris/series/" + *series_ + "/segment", Json{{"tasks", {"preview"}}}.dump());
  ASSERT_EQ(run.status, 200) << run.body;
  const std::string jobUrl = "/iris/jobs/" + std::to_string(run.json()["jobs"][0]["id"].get<int>());
  Json job;
  waitUntil(
      [&]
      {
        job = client().get(jobUrl).json();
        return job["state"] == "succeeded" || job["state"] == "failed";
      },
      std::chrono::seconds(90));
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  const std::string segSeries = job["result"]["timings"]["segSeriesId"];
  const auto seg = dicom::readSegBuffer(
      instanceBytes(*orthanc_, segInstanceOf(*orthanc_, segSeries)), source_->series);
  dicom::MontageOptions options;
  options.colours = {{1, {230, 80, 60}}, {2, {60, 120, 230}}}; // the task's class colours
  const auto expected = dicom::renderMontage(source_->series.image, &seg.labels, options);
  EXPECT_EQ(width, expected.width);
  EXPECT_EQ(height, expected.height);
  EXPECT_TRUE(response.body == dicom::encodePng(expected)) << "the preview differs from the SEG";

  const auto classes = volumes.json()["classes"];
  ASSERT_EQ(classes.size(), 2u) << volumes.body;
  const auto& spacing = source_->series.image.geometry.spacing;
  for (uint16_t segment = 1; segment <= 2; ++segment)
  {
    const auto& described = classes[segment - 1];
    const auto voxels = std::count(seg.labels.voxels.begin(), seg.labels.voxels.end(), segment);
    EXPECT_EQ(described["segment"], segment);
    EXPECT_EQ(described["name"], segment == 1 ? "Anterior" : "Posterior");
    EXPECT_EQ(described["voxels"], voxels);
    EXPECT_NEAR(described["volumeMl"].get<double>(),
                static_cast<double>(voxels) * spacing[0] * spacing[1] * spacing[2] / 1000.0, 1e-9);
  }

  // One tile: the montage geometry alone decides the size.
  const auto single = client().post(url, body(*series_, {{"slices", 1}, {"columns", 1}}));
  ASSERT_EQ(single.status, 200);
  options.slices = 1;
  const auto tile = dicom::renderMontage(source_->series.image, &seg.labels, options);
  EXPECT_EQ(pngSize(single.body), std::make_pair(uint32_t(tile.width), uint32_t(tile.height)));
}

TEST_F(TaskPreview, NonImageSeriesAreExplainedAndNotPreviewed)
{
  // A SEG series: stored by a manual run of the matching task.
  const auto run =
      client().post("/iris/series/" + *series_ + "/segment", Json{{"tasks", {"match"}}}.dump());
  ASSERT_EQ(run.status, 200) << run.body;
  std::string segSeries;
  waitUntil(
      [&]
      {
        const auto job =
            client().get("/iris/jobs/" + std::to_string(run.json()["jobs"][0]["id"].get<int>()));
        segSeries = job.json()["result"].is_object()
                        ? job.json()["result"]["timings"].value("segSeriesId", "")
                        : "";
        return !segSeries.empty();
      },
      std::chrono::seconds(90));
  ASSERT_FALSE(segSeries.empty());

  const auto answer = client().post("/iris/tasks/match/test", body(segSeries)).json();
  EXPECT_FALSE(answer["matches"].get<bool>());
  EXPECT_EQ(answer["series"]["skipped"], "modality SEG holds no images to segment");
  EXPECT_EQ(answer["reasons"], Json::array({"series: modality SEG holds no images to segment"}));
  EXPECT_TRUE(answer["rules"].empty());
  expectErrorAnswer(client().post("/iris/tasks/match/preview", body(segSeries)), 422,
                    "modality SEG holds no images");

  // The image series now has the job: the watcher would not queue a second one.
  const auto again = client().post("/iris/tasks/match/test", body(*series_)).json();
  EXPECT_TRUE(again["matches"].get<bool>());
  EXPECT_EQ(again["existingJob"]["id"], run.json()["jobs"][0]["id"]);
  EXPECT_FALSE(again["wouldQueue"].get<bool>());
}

TEST_F(TaskPreview, BadRequestsAreRefused)
{
  for (const std::string verb : {"test", "preview"})
  {
    const std::string url = "/iris/tasks/match/" + verb;
    expectErrorAnswer(client().post(url, "{\"series\": "), 400, "not valid JSON");
    expectErrorAnswer(client().post(url, ""), 400, "Expected a JSON body");
    expectErrorAnswer(client().post(url, "[\"x\"]"), 400, "Expected {\"series\"");
    expectErrorAnswer(client().post(url, "{}"), 400, "series: Expected");
    expectErrorAnswer(client().post(url, R"({"series": 5})"), 400, "got 5");
    expectErrorAnswer(client().post(url, body("../../tools/reset")), 400,
                      "is not an Orthanc series id");
    expectErrorAnswer(client().post(url, R"({"series": "x", "task": "y"})"), 400,
                      "Unknown key \"task\"");
    expectErrorAnswer(client().post(url, body(kUnknownSeries)), 404, "No series");
    expectErrorAnswer(client().post("/iris/tasks/absent/" + verb, body(*series_)), 404,
                      "No task \"absent\"");
    expectErrorAnswer(client().post("/iris/tasks/Bad!/" + verb, body(*series_)), 400,
                      "is not a task id");
    expectErrorAnswer(client().post(url, "{\"series\": \"" + std::string(8 * 1024, 'a') + "\"}"),
                      413, "exceeds the limit");
    EXPECT_EQ(client().get(url).status, 405);
  }
  const std::string preview = "/iris/tasks/match/preview";
  for (const auto& [options, fragment] : std::vector<std::pair<Json, std::string>>{
           {{{"format", "gif"}}, "format: expected \"png\" or \"json\", got \"gif\""},
           {{{"slices", 0}}, "slices: expected an integer from 1 to 64"},
           {{{"slices", "3"}}, "slices: expected an integer"},
           {{{"columns", 17}}, "columns: expected an integer from 1 to 16"},
           {{{"timeout", 9999}}, "timeout: expected an integer from 1 to 600"},
           {{{"strategy", "guess"}}, "strategy: expected one of one-shot"},
           {{{"strategy", "memory-bank"}}, "strategy: task \"match\" cannot run memory-bank"}})
  {
    expectErrorAnswer(client().post(preview, body(*series_, options)), 400, fragment);
  }
  // A strategy for this preview only, as a manual run may choose.
  const auto ensemble =
      client().post(preview, body(*series_, {{"strategy", "ensemble"}, {"format", "json"}}));
  ASSERT_EQ(ensemble.status, 200) << ensemble.body;
  EXPECT_EQ(ensemble.json()["strategy"], "ensemble");
  EXPECT_EQ(client().get("/iris/tasks/match").json()["definition"]["strategy"], "one-shot");
  expectErrorAnswer(client().post("/iris/tasks/match/test", body(*series_, {{"format", "json"}})),
                    400, "Unknown key \"format\"");
  for (const char* verb : {"test", "preview"})
  {
    EXPECT_EQ(
        client().anonymous().post(std::string("/iris/tasks/match/") + verb, body(*series_)).status,
        401);
  }
}

TEST(TaskPreviewWithoutModel, PreviewAnswers503)
{
  OrthancOptions options = pipelineOptions("/nonexistent/model.pt", Json::array());
  OrthancServer orthanc(options);
  auto task = hippocampusTask();
  task["id"] = "bank";
  task["strategy"] = "memory-bank";
  task["references"] = Json::array();
  task["classes"][0]["memoryBank"] = "msd_hippocampus:anterior";
  task["classes"][1]["memoryBank"] = "msd_hippocampus:posterior";
  const auto created = orthanc.client().post("/iris/tasks", task.dump());
  ASSERT_EQ(created.status, 200) << created.body;
  const auto response =
      orthanc.client().post("/iris/tasks/bank/preview", Json{{"series", kUnknownSeries}}.dump());
  EXPECT_EQ(response.status, 503) << response.body;
  EXPECT_NE(response.body.find("/nonexistent/model.pt"), std::string::npos) << response.body;
}
} // namespace
} // namespace iris::test
