// The admin REST API (docs/admin-api.md) against a real Orthanc with the plugin and the tiny model.
#include "storage/Database.h"
#include "storage/JobStore.h"
#include "tests/integration/PipelineSupport.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <memory>
#include <sstream>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;

constexpr const char* kUnknownSeries = "00000000-00000000-00000000-00000000-00000000";

// The value of a Prometheus sample line "<name> <value> [<timestamp>]"; -1 when absent.
double metricValue(const std::string& exposition, const std::string& name)
{
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);)
  {
    if (line.compare(0, name.size() + 1, name + " ") == 0)
    {
      return std::stod(line.substr(name.size() + 1));
    }
  }
  return -1.0;
}

// One Orthanc for the suite (start-up and the query series cost seconds); each test uses its own
// task ids.
class AdminRest : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    // A long retry delay keeps a failed job "queued" for the task-deletion test.
    server_ = new QueryServer(Json{{"RetryDelaySeconds", 600}});
    orthanc_ = &server_->orthanc;
    series_ = &server_->series;
  }

  static void TearDownTestSuite() { delete server_; }

  // The hippocampus task with the reference copied into the server's configuration folder.
  static Json task(const std::string& id) { return configurationFolderTask(id); }

  static HttpClient client() { return orthanc_->client(); }

  // Expects `status` and an {"error"} answer containing `fragment`.
  static void expectError(const HttpResponse& response, int status, const std::string& fragment)
  {
    expectErrorAnswer(response, status, fragment);
  }

  static Json waitForJobEnd(int64_t id)
  {
    Json job;
    waitUntil(
        [&]
        {
          job = client().get("/iris/jobs/" + std::to_string(id)).json();
          return job["state"] == "succeeded" || job["state"] == "failed";
        },
        std::chrono::seconds(90));
    return job;
  }

  static QueryServer* server_;
  // Shorthands into server_.
  static inline OrthancServer* orthanc_ = nullptr;
  static inline const std::string* series_ = nullptr;
};

QueryServer* AdminRest::server_ = nullptr;

TEST_F(AdminRest, TasksAreCreatedReadReplacedAndDeleted)
{
  const auto created = client().post("/iris/tasks", task("crud").dump());
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.json()["origin"], "api");
  EXPECT_EQ(created.json()["definition"]["classes"].size(), 2u);
  expectError(client().post("/iris/tasks", task("crud").dump()), 409, "exists already");

  const auto list = client().get("/iris/tasks").json();
  ASSERT_TRUE(list.is_array());
  EXPECT_TRUE(
      std::any_of(list.begin(), list.end(), [](const Json& t) { return t["id"] == "crud"; }));

  auto changed = task("crud");
  changed["description"] = "edited";
  changed["enabled"] = false;
  const auto replaced = client().put("/iris/tasks/crud", changed.dump());
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  const auto read = client().get("/iris/tasks/crud").json();
  EXPECT_EQ(read["definition"]["description"], "edited");
  EXPECT_EQ(read["definition"]["enabled"], false);
  EXPECT_EQ(read["activeJobs"], 0);
  // The reference path was resolved against the configuration folder.
  EXPECT_EQ(read["definition"]["references"][0]["image"],
            (orthanc_->folder() / "refs/images.nii.gz").string());

  expectError(client().put("/iris/tasks/absent", task("absent").dump()), 404, "No task");
  const auto removed = client().remove("/iris/tasks/crud");
  EXPECT_EQ(removed.status, 200) << removed.body;
  expectError(client().get("/iris/tasks/crud"), 404, "No task \"crud\"");
  expectError(client().remove("/iris/tasks/crud"), 404, "No task");
}

TEST_F(AdminRest, TaskBodiesAndIdsAreValidated)
{
  expectError(client().post("/iris/tasks", "{\"id\": \"x\","), 400, "not valid JSON");
  expectError(client().post("/iris/tasks", ""), 400, "Expected a JSON body");
  expectError(client().post("/iris/tasks", "[1, 2]"), 400, "expected a JSON object");
  auto wrongType = task("typed");
  wrongType["priority"] = "high";
  expectError(client().post("/iris/tasks", wrongType.dump()), 400, "task.priority");
  auto unknownKey = task("typed");
  unknownKey["colour"] = "red";
  expectError(client().post("/iris/tasks", unknownKey.dump()), 400, "unknown key \"colour\"");

  auto mismatch = task("mismatch");
  mismatch["references"][0]["classes"] = {{"Anterior", 1}, {"Tail", 2}};
  expectError(client().post("/iris/tasks", mismatch.dump()), 400,
              "\"Tail\" is not a class of task \"mismatch\"");
  auto missingClass = task("mismatch");
  missingClass["references"][0]["classes"] = {{"Anterior", 1}};
  expectError(client().post("/iris/tasks", missingClass.dump()), 400, "Posterior");

  expectError(client().get("/iris/tasks/Bad%20Id"), 400, "is not a task id");
  expectError(client().get("/iris/tasks/UPPER"), 400, "is not a task id");
  expectError(client().put("/iris/tasks/other", task("crud2").dump()), 400, "differs from");
  expectError(client().put("/iris/tasks/typed", "{\"id\": "), 400, "not valid JSON");
  expectError(client().put("/iris/tasks/typed", wrongType.dump()), 400, "task.priority");
  expectError(client().remove("/iris/tasks/Bad%20Id"), 400, "is not a task id");
  auto wrapping = task("typed");
  wrapping["priority"] = Json::parse("18446744073709551615"); // -1 if read as signed
  expectError(client().post("/iris/tasks", wrapping.dump()), 400, "task.priority");

  const std::string huge = "{\"description\": \"" + std::string(300 * 1024, 'x') + "\"}";
  expectError(client().post("/iris/tasks", huge), 413, "exceeds the limit");
  expectError(client().put("/iris/tasks/x", huge), 413, "exceeds the limit");

  for (const auto& [image, fragment] : std::vector<std::pair<std::string, std::string>>{
           {"/etc/passwd", "outside the configuration"},
           {"../orthanc.json", "outside the configuration"},
           {"refs/../../x.nii.gz", "outside the configuration"},
           {"refs/absent.nii.gz", "cannot read"}})
  {
    auto escaping = task("paths");
    escaping["references"][0]["image"] = image;
    expectError(client().post("/iris/tasks", escaping.dump()), 400, fragment);
  }
  auto orthancReference = task("orthanc-ref");
  orthancReference["references"] =
      Json::array({{{"series", "../../tools/reset"},
                    {"seg", kUnknownSeries},
                    {"classes", {{"Anterior", 1}, {"Posterior", 2}}}}});
  expectError(client().post("/iris/tasks", orthancReference.dump()), 400,
              "is not an Orthanc series id");
  orthancReference["references"][0]["series"] = kUnknownSeries;
  expectError(client().post("/iris/tasks", orthancReference.dump()), 400, "no such resource");
  expectError(client().get("/iris/tasks/paths"), 404, "No task");
}

TEST_F(AdminRest, ManualRunSegmentsTheSeriesAndJobsAreListed)
{
  ASSERT_FALSE(series_->empty());
  ASSERT_EQ(client().post("/iris/tasks", task("manual").dump()).status, 200);
  const auto run =
      client().post("/iris/series/" + *series_ + "/segment", Json{{"tasks", {"manual"}}}.dump());
  ASSERT_EQ(run.status, 200) << run.body;
  ASSERT_EQ(run.json()["jobs"].size(), 1u);
  const int64_t id = run.json()["jobs"][0]["id"];
  EXPECT_EQ(run.json()["jobs"][0]["generation"], 0);

  const auto job = waitForJobEnd(id);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_TRUE(job["segSeriesUid"].is_string());
  EXPECT_EQ(job["result"]["segSeriesUid"], job["segSeriesUid"]);
  EXPECT_GT(job["result"]["timings"]["segment"].get<double>(), 0.0);
  EXPECT_TRUE(job["error"].is_null());

  const auto listed = client().get("/iris/jobs?state=succeeded&task=manual&series=" + *series_ +
                                   "&since=0&limit=5");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json().size(), 1u);
  EXPECT_EQ(listed.json()[0]["id"], id);
  EXPECT_TRUE(client().get("/iris/jobs?since=99999999999999").json().empty());

  expectError(client().post("/iris/jobs/" + std::to_string(id) + "/retry", ""), 409,
              "only failed or cancelled");
  expectError(client().post("/iris/jobs/" + std::to_string(id) + "/cancel", ""), 409,
              "only queued or running");

  // A second manual run is a new generation: a re-run, not the same job.
  const auto again = client().post("/iris/series/" + *series_ + "/segment", "");
  ASSERT_EQ(again.status, 200) << again.body;
  const auto jobs = again.json()["jobs"];
  const auto rerun =
      std::find_if(jobs.begin(), jobs.end(), [](const Json& j) { return j["task"] == "manual"; });
  ASSERT_NE(rerun, jobs.end()) << jobs.dump();
  EXPECT_EQ((*rerun)["generation"], 1);
  EXPECT_EQ(waitForJobEnd((*rerun)["id"])["state"], "succeeded");

  EXPECT_EQ(client().get("/iris/jobs?task=manual").json().size(), 2u);
  // Each filter on its own: a filter that were ignored would list other jobs of the suite.
  const auto succeeded = client().get("/iris/jobs?state=succeeded").json();
  EXPECT_GE(succeeded.size(), 2u);
  for (const auto& listedJob : succeeded)
  {
    EXPECT_EQ(listedJob["state"], "succeeded") << listedJob.dump();
  }
  EXPECT_TRUE(client().get("/iris/jobs?state=failed&task=manual").json().empty());
  const auto ofSeries = client().get("/iris/jobs?series=" + *series_).json();
  EXPECT_GE(ofSeries.size(), 2u);
  for (const auto& listedJob : ofSeries)
  {
    EXPECT_EQ(listedJob["series"], *series_) << listedJob.dump();
  }
  EXPECT_TRUE(client().get(std::string("/iris/jobs?series=") + kUnknownSeries).json().empty());
  const auto segs = segsBeside(*orthanc_, *series_);
  ASSERT_EQ(segs.size(), 2u) << "a re-run stores a second SEG";
  expectError(client().post("/iris/series/" + segs[0] + "/segment", ""), 422, "holds no images");

  const auto metrics = client().get("/tools/metrics-prometheus");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_GE(metricValue(metrics.body, "iris_segs_written_total"), 2.0) << metrics.body;
  EXPECT_GE(metricValue(metrics.body, "iris_jobs_succeeded"), 2.0);
  EXPECT_GE(metricValue(metrics.body, "iris_queue_depth"), 0.0);
  EXPECT_GT(metricValue(metrics.body, "iris_last_job_inference_seconds"), 0.0);
  EXPECT_GT(metricValue(metrics.body, "iris_inference_seconds_total"),
            metricValue(metrics.body, "iris_last_job_inference_seconds"))
      << "the total holds both runs";
  EXPECT_GE(metricValue(metrics.body, "iris_last_job_seconds"),
            metricValue(metrics.body, "iris_last_job_inference_seconds"));
}

TEST_F(AdminRest, JobAndManualRunInputsAreValidated)
{
  for (const auto& [query, fragment] : std::vector<std::pair<std::string, std::string>>{
           {"state=done", "\"done\" is not one of"},
           {"limit=0", "limit"},
           {"limit=abc", "limit"},
           {"limit=1001", "limit"},
           {"since=-5", "since"},
           {"task=Bad!", "is not a task id"},
           {"series=../x", "is not an Orthanc series id"}})
  {
    expectError(client().get("/iris/jobs?" + query), 400, fragment);
  }
  expectError(client().get("/iris/jobs/999999"), 404, "No job 999999");
  expectError(client().get("/iris/jobs/abc"), 400, "job id");
  expectError(client().post("/iris/jobs/-1/retry", ""), 400, "job id");
  expectError(client().post("/iris/jobs/999999/cancel", ""), 404, "No job");

  const std::string segment = "/iris/series/" + *series_ + "/segment";
  expectError(client().post(segment, "{\"tasks\": ["), 400, "not valid JSON");
  expectError(client().post(segment, R"({"tasks": "hippo"})"), 400, "non-empty list");
  expectError(client().post(segment, R"({"tasks": [7]})"), 400, "strings");
  expectError(client().post(segment, R"({"tasks": ["no-such-task"]})"), 400,
              "no task \"no-such-task\"");
  expectError(client().post(segment, R"({"strategy": "guess"})"), 400, "strategy: expected one of");
  expectError(client().post(segment, R"({"strategy": 5})"), 400, "strategy: expected one of");
  expectError(client().post(segment, R"({"priority": 1})"), 400, "Unknown key");
  expectError(client().post("/iris/series/" + std::string(kUnknownSeries) + "/segment", ""), 404,
              "No series");
  expectError(client().post("/iris/series/not-an-id/segment", ""), 400, "not an Orthanc series id");
  expectError(client().post(segment, "{\"tasks\": [\"" + std::string(70 * 1024, 'a') + "\"]}"), 413,
              "exceeds the limit");
}

TEST_F(AdminRest, AManualRunMayChooseItsStrategy)
{
  ASSERT_EQ(client().post("/iris/tasks", task("per-run").dump()).status, 200);
  const std::string segment = "/iris/series/" + *series_ + "/segment";
  // The task's classes name no memory-bank rows, so it cannot run on the memory bank.
  expectError(client().post(segment, R"({"tasks": ["per-run"], "strategy": "memory-bank"})"), 400,
              "task \"per-run\" cannot run memory-bank");

  const auto queued = client().post(segment, R"({"tasks": ["per-run"], "strategy": "ensemble"})");
  ASSERT_EQ(queued.status, 200) << queued.body;
  const auto job = queued.json()["jobs"].at(0);
  EXPECT_EQ(job["strategy"], "ensemble");
  const auto done = waitForJobEnd(job["id"]);
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["strategy"], "ensemble");
  EXPECT_EQ(done["result"]["timings"]["strategy"], "ensemble");

  const auto own = client().post(segment, R"({"tasks": ["per-run"]})");
  ASSERT_EQ(own.status, 200) << own.body;
  const auto rerun = waitForJobEnd(own.json()["jobs"].at(0)["id"]);
  ASSERT_EQ(rerun["state"], "succeeded") << rerun.dump();
  EXPECT_TRUE(rerun["strategy"].is_null());
  EXPECT_EQ(rerun["result"]["timings"]["strategy"], "one-shot") << "the task's own strategy";
}

TEST_F(AdminRest, ATaskWithAQueuedJobIsNotDeleted)
{
  ASSERT_EQ(client().post("/iris/tasks", task("busy").dump()).status, 200);
  int64_t id = 0;
  {
    // A job for a series Orthanc does not have: its attempt fails and it waits 600 s, queued.
    storage::Database database(pluginDatabase(*orthanc_));
    id = storage::JobStore(database).enqueue({kUnknownSeries, "busy", "model", 0, 3, {}}, 0).id;
  }
  expectError(client().remove("/iris/tasks/busy"), 409, "has 1 queued or running job(s)");
  EXPECT_EQ(client().get("/iris/tasks/busy").json()["activeJobs"], 1);

  const auto cancelled = client().post("/iris/jobs/" + std::to_string(id) + "/cancel", "");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json()["state"], "cancelled");
  expectError(client().post("/iris/jobs/" + std::to_string(id) + "/cancel", ""), 409,
              "is cancelled");
  const auto retried = client().post("/iris/jobs/" + std::to_string(id) + "/retry", "");
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json()["attempts"], 0);
  expectError(client().remove("/iris/tasks/busy"), 409, "has 1 queued or running job(s)");
  ASSERT_EQ(client().post("/iris/jobs/" + std::to_string(id) + "/cancel", "").status, 200);

  const auto removed = client().remove("/iris/tasks/busy");
  EXPECT_EQ(removed.status, 200) << removed.body;
  expectError(client().get("/iris/jobs/" + std::to_string(id)), 404, "No job");
}

TEST_F(AdminRest, ATaskWithARunningJobIsNotDeleted)
{
  ASSERT_EQ(client().post("/iris/tasks", task("running").dump()).status, 200);
  // Held "running" by this test: queued at a time no worker reaches, then claimed here.
  constexpr int64_t kFarFuture = int64_t{1} << 60;
  storage::Database database(pluginDatabase(*orthanc_));
  storage::JobStore jobs(database);
  const int64_t id = jobs.enqueue({kUnknownSeries, "running", "model", 100, 3, {}}, kFarFuture).id;
  const auto claimed = jobs.claimNext(kFarFuture);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->id, id);
  const std::string job = "/iris/jobs/" + std::to_string(id);
  EXPECT_EQ(client().get(job).json()["state"], "running");

  expectError(client().remove("/iris/tasks/running"), 409, "has 1 queued or running job(s)");
  EXPECT_EQ(client().get("/iris/tasks/running").status, 200) << "the task is still there";
  EXPECT_EQ(client().get(job).json()["state"], "running") << "and so is its job";

  const auto cancelled = client().post(job + "/cancel", "");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json()["state"], "cancelled");
  EXPECT_EQ(client().remove("/iris/tasks/running").status, 200);
}

TEST_F(AdminRest, ModelsDescribeTheCheckpoint)
{
  const auto response = client().get("/iris/models");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto model = response.json()["models"][0];
  EXPECT_EQ(model["state"], "available") << model.dump();
  EXPECT_EQ(model["path"], tinyModel(kFastPatch).string());
  EXPECT_FALSE(model["id"].get<std::string>().empty());
  EXPECT_EQ(model["config"]["patch_size"], kFastPatch) << model["config"].dump();
  EXPECT_EQ(model["device"]["selected"], "cpu");
  EXPECT_TRUE(model["memoryBankClasses"].is_array());

  const auto bank = client().get("/iris/memory-bank");
  ASSERT_EQ(bank.status, 200) << bank.body;
  EXPECT_EQ(bank.json()["rows"], model["memoryBankRows"]);
  EXPECT_EQ(bank.json()["classes"].size(), model["memoryBankClasses"].size());
  EXPECT_EQ(bank.json()["model"], model["id"]);
}

TEST_F(AdminRest, EveryIrisRouteRefusesAnonymousAccess)
{
  const std::string series = "/iris/series/" + *series_;
  const auto anonymous = client().anonymous();
  for (const std::string& path : {std::string("/iris/health"),
                                  std::string("/iris/tasks"),
                                  std::string("/iris/tasks/hippo"),
                                  std::string("/iris/jobs"),
                                  std::string("/iris/jobs/1"),
                                  std::string("/iris/jobs/1/retry"),
                                  std::string("/iris/jobs/1/cancel"),
                                  series + "/segment",
                                  series + "/volume",
                                  std::string("/iris/models"),
                                  std::string("/iris/memory-bank"),
                                  std::string("/iris/tasks/hippo/test"),
                                  std::string("/iris/tasks/hippo/preview"),
                                  std::string("/iris/tasks/hippo/references"),
                                  std::string("/iris/tasks/hippo/references/1"),
                                  std::string("/iris/embeddings/similarity"),
                                  std::string("/iris/memory-bank/export"),
                                  std::string("/iris/memory-bank/import"),
                                  std::string("/iris/memory-bank/imported/x"),
                                  std::string("/iris/unknown")})
  {
    for (const char* method : {"GET", "POST", "PUT", "DELETE"})
    {
      EXPECT_EQ(anonymous.request(method, path, "{}", "application/json").status, 401)
          << method << " " << path;
    }
  }
}

TEST(AdminRestWithoutModel, ModelRoutesReportAMissingCheckpoint)
{
  OrthancOptions options;
  options.configuration = {{"Iris", {{"ModelPath", "/nonexistent/model.pt"}, {"Device", "cpu"}}}};
  OrthancServer orthanc(options);
  const auto models = orthanc.client().get("/iris/models");
  ASSERT_EQ(models.status, 200) << models.body;
  EXPECT_EQ(models.json()["models"][0]["state"], "unavailable");
  EXPECT_NE(models.json()["models"][0]["error"].get<std::string>().find("/nonexistent/model.pt"),
            std::string::npos);
  const auto bank = orthanc.client().get("/iris/memory-bank");
  EXPECT_EQ(bank.status, 503) << bank.body;
}
} // namespace
} // namespace iris::test
