// The anatomy map and the memory-bank export/import (docs/admin-api.md) against a real Orthanc
// with the plugin: the tiny model for the mechanics, the shipped model for named rows and sizes.
#include "dicom/SegReader.h"
#include "tests/integration/PipelineSupport.h"
#include "tests/support/Process.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;

constexpr const char* kImported = "tiny:row1 copy";

// Checks the similarity answer's invariants and returns its size.
size_t checkSimilarity(const Json& answer)
{
  const auto& matrix = answer.at("matrix");
  const size_t n = answer.at("classes").size();
  EXPECT_EQ(matrix.size(), n);
  for (size_t i = 0; i < n && matrix.size() == n; ++i)
  {
    EXPECT_EQ(matrix[i].size(), n);
    EXPECT_NEAR(matrix[i][i].get<double>(), 1.0, 1e-5) << "diagonal " << i;
    for (size_t j = 0; j < n && matrix[i].size() == n; ++j)
    {
      const double value = matrix[i][j].get<double>();
      EXPECT_NEAR(value, matrix[j][i].get<double>(), 1e-9) << i << ", " << j;
      EXPECT_GE(value, -1.0);
      EXPECT_LE(value, 1.0);
    }
  }
  return n;
}

// Width and height from a PNG's IHDR chunk, after checking the signature.
std::pair<uint32_t, uint32_t> pngSize(const std::string& png)
{
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  const auto word = [&png](size_t at)
  {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i)
    {
      value = value << 8 | static_cast<uint8_t>(png.at(at + i));
    }
    return value;
  };
  return {word(16), word(20)};
}

int64_t indexOf(const Json& classes, const std::string& key, const Json& value)
{
  for (size_t i = 0; i < classes.size(); ++i)
  {
    if (classes[i].value(key, Json()) == value)
    {
      return static_cast<int64_t>(i);
    }
  }
  return -1;
}

class EmbeddingRoutes : public ::testing::Test
{
protected:
  static void SetUpTestSuite() { server_ = new QueryServer(); }
  static void TearDownTestSuite() { delete server_; }

  static HttpClient client() { return server_->orthanc.client(); }

  // Runs `tasks` on the query series by hand and waits for every job to end.
  static std::vector<Json> runTasks(const std::vector<std::string>& tasks)
  {
    const auto run = client().post("/iris/series/" + server_->series + "/segment",
                                   Json{{"tasks", tasks}}.dump());
    EXPECT_EQ(run.status, 200) << run.body;
    std::vector<Json> finished;
    for (const auto& job : run.json().value("jobs", Json::array()))
    {
      Json state;
      waitUntil(
          [&]
          {
            state = client().get("/iris/jobs/" + std::to_string(job["id"].get<int64_t>())).json();
            return state["state"] == "succeeded" || state["state"] == "failed";
          },
          std::chrono::seconds(120));
      finished.push_back(state);
    }
    return finished;
  }

  static dicom::LabelVolume segLabels(const Json& job)
  {
    expectConformantSeg(server_->orthanc,
                        server_->orthanc.client()
                            .get("/instances/" + job["result"]["segInstanceId"].get<std::string>())
                            .json()["ParentSeries"]);
    const auto bytes = instanceBytes(server_->orthanc, job["result"]["segInstanceId"]);
    return dicom::readSegBuffer(bytes, server_->source.series).labels;
  }

  // An import document with one imported class: `embedding` under `name`.
  static Json importDocument(const Json& exported, const std::string& name, const Json& embedding)
  {
    Json document = exported;
    document["classes"] =
        Json::array({{{"name", name}, {"source", "imported"}, {"embedding", embedding}}});
    return document;
  }

  static QueryServer* server_;
};

QueryServer* EmbeddingRoutes::server_ = nullptr;

TEST_F(EmbeddingRoutes, SimilarityMapComparesBankRowsAndTaskEmbeddings)
{
  const auto initial = client().get("/iris/embeddings/similarity");
  ASSERT_EQ(initial.status, 200) << initial.body;
  const auto bankOnly = initial.json();
  EXPECT_EQ(bankOnly["model"], client().get("/iris/models").json()["models"][0]["id"]);
  EXPECT_GE(checkSimilarity(bankOnly), 4u) << "the tiny model's four memory-bank rows";
  EXPECT_EQ(
      bankOnly["classes"][0],
      (Json{{"name", nullptr}, {"source", "memory-bank"}, {"origin", "checkpoint"}, {"row", 0}}));

  // The tiny model names no row: without unnamed rows nothing is left, which is no error.
  const auto none = client().get("/iris/embeddings/similarity?unnamed=false");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json()["matrix"], Json::array());

  const auto task = configurationFolderTask("map");
  ASSERT_EQ(client().post("/iris/tasks", task.dump()).status, 200);
  const auto jobs = runTasks({"map"});
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(jobs[0]["state"], "succeeded") << jobs[0].dump();

  const auto answer = client().get("/iris/embeddings/similarity").json();
  const size_t n = checkSimilarity(answer);
  const auto anterior = indexOf(answer["classes"], "name", "Anterior");
  ASSERT_GE(anterior, 0) << answer["classes"].dump();
  EXPECT_EQ(answer["classes"][anterior],
            (Json{{"name", "Anterior"}, {"source", "task"}, {"task", "map"}, {"references", 1}}));
  EXPECT_EQ(answer["classes"][anterior + 1]["name"], "Posterior");

  const auto png = client().get("/iris/embeddings/similarity?format=png");
  ASSERT_EQ(png.status, 200) << png.body.substr(0, 300);
  const auto [width, height] = pngSize(png.body);
  const uint32_t cell = std::clamp<uint32_t>(768 / static_cast<uint32_t>(n), 1, 32);
  EXPECT_EQ(width, n * cell + 24) << "n = " << n;
  EXPECT_EQ(height, std::max<uint32_t>(n * cell, 64));

  // The Accept header chooses the PNG too.
  TempDir dir;
  const auto result =
      runProcess({"/usr/bin/curl", "-s", "-u",
                  std::string(OrthancServer::kUser) + ":" + server_->orthanc.password(), "-H",
                  "Accept: image/png", "-o", (dir / "map.png").string(), "-w", "%{content_type}",
                  "http://127.0.0.1:" + std::to_string(server_->orthanc.httpPort()) +
                      "/iris/embeddings/similarity"});
  EXPECT_EQ(result.output, "image/png");
  std::ifstream file(dir / "map.png", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(pngSize(bytes), pngSize(png.body));

  expectErrorAnswer(client().get("/iris/embeddings/similarity?format=svg"), 400, "format");
  expectErrorAnswer(client().get("/iris/embeddings/similarity?unnamed=maybe"), 400, "unnamed");
}

TEST_F(EmbeddingRoutes, ExportedClassesImportAndFeedAMemoryBankTask)
{
  const auto exported = client().get("/iris/memory-bank/export");
  ASSERT_EQ(exported.status, 200) << exported.body.substr(0, 300);
  const auto all = exported.json();
  EXPECT_EQ(all["format"], "iris-memory-bank");
  EXPECT_EQ(all["model"], client().get("/iris/models").json()["models"][0]["id"]);
  EXPECT_EQ(all["shape"], Json::parse("[[11, 64], [11, 32], [11, 32]]"));
  ASSERT_GE(all["classes"].size(), 4u);
  EXPECT_EQ(all["classes"][1]["source"], "checkpoint");
  EXPECT_EQ(all["classes"][1]["row"], 1);
  EXPECT_EQ(all["classes"][1]["embedding"][0].size(), 11u * 64);
  std::cout << "tiny model export: " << exported.body.size() << " bytes for "
            << all["classes"].size() << " classes\n";

  // Row 1 under a new name, imported; the same document again changes nothing.
  const auto document = importDocument(all, kImported, all["classes"][1]["embedding"]);
  const auto imported = client().post("/iris/memory-bank/import", document.dump());
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.json()["imported"], Json::array({kImported}));
  EXPECT_EQ(client().post("/iris/memory-bank/import", document.dump()).json()["unchanged"],
            Json::array({kImported}));
  EXPECT_EQ(client().get("/iris/memory-bank").json()["imported"][0]["name"], kImported);

  // Export of the imported classes → delete → import again: the same values come back.
  const auto saved = client().get("/iris/memory-bank/export?source=imported").json();
  ASSERT_EQ(saved["classes"].size(), 1u);
  EXPECT_EQ(saved["classes"][0]["embedding"], all["classes"][1]["embedding"]);
  const std::string url = "/iris/memory-bank/imported/tiny:row1%20copy";
  ASSERT_EQ(client().remove(url).status, 200);
  EXPECT_TRUE(client().get("/iris/memory-bank").json()["imported"].empty());
  expectErrorAnswer(client().remove(url), 404, "No imported memory-bank class");
  const auto again = client().post("/iris/memory-bank/import", saved.dump());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["imported"], Json::array({kImported}));

  // A whole export skips the checkpoint's own rows.
  const auto whole =
      client().post("/iris/memory-bank/import", client().get("/iris/memory-bank/export").body);
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.json()["skippedCheckpointRows"], all["classes"].size());
  EXPECT_EQ(whole.json()["unchanged"], Json::array({kImported}));

  // The imported class segments exactly like the row it copies.
  const auto bankTask = [](const std::string& id, const std::string& first)
  {
    return Json{{"id", id},
                {"match", {{"Modality", "MR"}}},
                {"strategy", "memory-bank"},
                {"classes", Json::array({{{"name", "Copy"}, {"memoryBank", first}},
                                         {{"name", "Row2"}, {"memoryBank", "2"}}})}};
  };
  ASSERT_EQ(client().post("/iris/tasks", bankTask("bank-imported", kImported).dump()).status, 200);
  ASSERT_EQ(client().post("/iris/tasks", bankTask("bank-rows", "1").dump()).status, 200);
  const auto jobs = runTasks({"bank-imported", "bank-rows"});
  ASSERT_EQ(jobs.size(), 2u);
  ASSERT_EQ(jobs[0]["state"], "succeeded") << jobs[0].dump();
  ASSERT_EQ(jobs[1]["state"], "succeeded") << jobs[1].dump();
  const auto fromImported = segLabels(jobs[0]);
  EXPECT_EQ(fromImported.voxels, segLabels(jobs[1]).voxels);
  EXPECT_EQ(fromImported.voxels.size(), server_->source.series.image.voxels.size());
  EXPECT_GT(std::count_if(fromImported.voxels.begin(), fromImported.voxels.end(),
                          [](uint16_t value) { return value == 1; }),
            0)
      << "the imported class labels voxels; an empty result would prove nothing";

  // The anatomy map lists the imported class, identical to row 1.
  const auto map = client().get("/iris/embeddings/similarity").json();
  checkSimilarity(map);
  const auto copy = indexOf(map["classes"], "name", kImported);
  ASSERT_GE(copy, 0) << map["classes"].dump();
  EXPECT_EQ(map["classes"][copy]["origin"], "imported");
  EXPECT_NEAR(map["matrix"][1][copy].get<double>(), 1.0, 1e-5);

  // An unknown memory-bank name fails the job and names what is known.
  ASSERT_EQ(client().post("/iris/tasks", bankTask("bank-missing", "tiny:none").dump()).status, 200);
  const auto failed = runTasks({"bank-missing"});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["state"], "failed");
  EXPECT_NE(failed[0]["error"].get<std::string>().find(std::string(kImported) + " (imported)"),
            std::string::npos)
      << failed[0]["error"];
}

TEST_F(EmbeddingRoutes, BadImportsAreRefused)
{
  const auto exported = client().get("/iris/memory-bank/export?source=checkpoint").json();
  const auto embedding = exported["classes"][0]["embedding"];
  const auto good = importDocument(exported, "tiny:bad-input", embedding);
  const std::string import = "/iris/memory-bank/import";

  expectErrorAnswer(client().post(import, ""), 400, "Expected a JSON body");
  expectErrorAnswer(client().post(import, "{\"format\": "), 400, "not valid JSON");
  expectErrorAnswer(client().post(import, "[1]"), 400, "expected a JSON object");
  auto bad = good;
  bad["classes"] = "all";
  expectErrorAnswer(client().post(import, bad.dump()), 400, "classes: expected a non-empty list");
  bad = good;
  bad["classes"][0]["name"] = 5;
  expectErrorAnswer(client().post(import, bad.dump()), 400, "classes[0].name");
  bad = good;
  bad["classes"][0]["embedding"][1].erase(0);
  expectErrorAnswer(
      client().post(import, bad.dump()), 400,
      "classes[0].embedding[1]: expected 352 numbers (11 tokens x 32 channels), got 351");
  bad = good;
  bad["classes"][0]["embedding"][2][0] = nullptr;
  expectErrorAnswer(client().post(import, bad.dump()), 400, "finite float32");
  bad = good;
  bad["shape"] = Json::parse("[[11, 64], [11, 32]]");
  expectErrorAnswer(client().post(import, bad.dump()), 400, "shape: expected");
  bad = good;
  bad["model"] = "another-model";
  expectErrorAnswer(client().post(import, bad.dump()), 409,
                    "exported from model \"another-model\"");
  bad = good;
  bad["classes"].push_back(good["classes"][0]);
  expectErrorAnswer(client().post(import, bad.dump()), 400, "appears twice");

  ASSERT_EQ(client().post(import, good.dump()).status, 200);
  const auto other =
      importDocument(exported, "tiny:bad-input", exported["classes"][2]["embedding"]);
  expectErrorAnswer(client().post(import, other.dump()), 409, "delete it first");
  EXPECT_EQ(client().remove("/iris/memory-bank/imported/tiny:bad-input").status, 200);
  const auto replaced = client().post(import, other.dump());
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.json()["imported"], Json::array({"tiny:bad-input"}));
  EXPECT_EQ(client().remove("/iris/memory-bank/imported/tiny:bad-input").status, 200);

  const std::string huge = "{\"classes\": \"" + std::string(17 << 20, 'x') + "\"}";
  expectErrorAnswer(client().post(import, huge), 413, "exceeds the limit");
  expectErrorAnswer(client().get("/iris/memory-bank/export?source=mine"), 400, "source");
  expectErrorAnswer(client().remove("/iris/memory-bank/imported/12345"), 400, "is not an imported");
  // Bytes that are not UTF-8 are quoted back in the message; the answer must still be a 4xx.
  expectErrorAnswer(client().remove("/iris/memory-bank/imported/tiny:%FF"), 400,
                    "is not an imported");
  expectErrorAnswer(client().post(import, "{\"format\": \"\xff\"}"), 400, "not valid JSON");
  EXPECT_EQ(client().get(import).status, 405);

  const auto anonymous = client().anonymous();
  for (const char* path : {"/iris/embeddings/similarity", "/iris/memory-bank/export",
                           "/iris/memory-bank/import", "/iris/memory-bank/imported/x"})
  {
    for (const char* method : {"GET", "POST", "DELETE"})
    {
      EXPECT_EQ(anonymous.request(method, path, good.dump(), "application/json").status, 401)
          << method << " " << path;
    }
  }
}

TEST(EmbeddingRoutesWithoutModel, EveryRouteSaysTheModelIsUnavailable)
{
  OrthancOptions options;
  options.configuration = {{"Iris", {{"ModelPath", "/nonexistent/model.pt"}, {"Device", "cpu"}}}};
  OrthancServer orthanc(options);
  const auto client = orthanc.client();
  expectErrorAnswer(client.get("/iris/embeddings/similarity"), 503, "/nonexistent/model.pt");
  expectErrorAnswer(client.get("/iris/embeddings/similarity?format=png"), 503,
                    "model is unavailable");
  expectErrorAnswer(client.get("/iris/memory-bank/export"), 503, "model is unavailable");
  expectErrorAnswer(client.post("/iris/memory-bank/import", R"({"format": "iris-memory-bank"})"),
                    503, "model is unavailable");
}

TEST(EmbeddingRoutesWithShippedModel, NamedRowsAreMappedAndCannotBeShadowed)
{
  const auto model = std::filesystem::path(IRIS_MODELS_DIR) / "iris-default.pt";
  ASSERT_TRUE(std::filesystem::exists(model)) << model;
  OrthancServer orthanc(pipelineOptions(model, Json::array()));
  const auto client = orthanc.client();

  auto start = std::chrono::steady_clock::now();
  const auto exported = client.get("/iris/memory-bank/export?source=checkpoint");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(exported.status, 200) << exported.body.substr(0, 300);
  const auto document = exported.json();
  const auto rows = client.get("/iris/memory-bank").json();
  ASSERT_EQ(document["classes"].size(), rows["rows"]);
  std::cout << "shipped model export: " << exported.body.size() << " bytes, "
            << document["classes"].size() << " rows, " << seconds << " s (first read)\n";
  EXPECT_LT(exported.body.size(), size_t{16} << 20) << "an export must fit the import cap";

  const std::string named = document["classes"][0]["name"];
  ASSERT_FALSE(named.empty());
  auto shadowing = document;
  shadowing["classes"] = Json::array({{{"name", named},
                                       {"source", "imported"},
                                       {"embedding", document["classes"][1]["embedding"]}}});
  expectErrorAnswer(client.post("/iris/memory-bank/import", shadowing.dump()), 409,
                    "may not shadow");
  // The export re-imports whole: its rows are the checkpoint's own.
  const auto whole = client.post("/iris/memory-bank/import", exported.body);
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.json()["skippedCheckpointRows"], document["classes"].size());

  start = std::chrono::steady_clock::now();
  const auto map = client.get("/iris/embeddings/similarity?unnamed=false");
  std::cout << "shipped model similarity (named rows): "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s, " << map.body.size() << " bytes\n";
  ASSERT_EQ(map.status, 200) << map.body.substr(0, 300);
  const size_t n = checkSimilarity(map.json());
  EXPECT_EQ(n, static_cast<size_t>(std::count_if(
                   rows["classes"].begin(), rows["classes"].end(),
                   [](const Json& row) { return !row["name"].get<std::string>().empty(); })));
  const auto png = client.get("/iris/embeddings/similarity?unnamed=false&format=png");
  ASSERT_EQ(png.status, 200);
  const uint32_t cell = std::clamp<uint32_t>(768 / static_cast<uint32_t>(n), 1, 32);
  EXPECT_EQ(pngSize(png.body),
            std::make_pair(static_cast<uint32_t>(n * cell + 24), std::max<uint32_t>(n * cell, 64)));
}
} // namespace
} // namespace iris::test
