// The torch-free embedding code of the anatomy map and the memory-bank exchange.
#include "OrthancPlugin/AnatomyMap.h"
#include "OrthancPlugin/EmbeddingBlob.h"
#include "OrthancPlugin/MemoryBankDocument.h"
#include "OrthancPlugin/SimilarityMap.h"
#include "storage/MemoryBankStore.h"
#include "storage/ReferenceStore.h"
#include "storage/TaskStore.h"
#include "tests/support/TempDir.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

// A blob of `classes` classes with two stages ([tokens=2, channels=3] and [2, 2]); value
// i of class k is `seed + k + 0.5 * i` (or its sine, for vectors pointing different ways).
EmbeddingBlob makeBlob(int64_t classes, float seed, bool sine = false)
{
  EmbeddingBlob blob;
  for (const int64_t channels : {3, 2})
  {
    EmbeddingStage stage{1, classes, 2, channels, {}};
    for (int64_t k = 0; k < classes; ++k)
    {
      for (int64_t i = 0; i < 2 * channels; ++i)
      {
        const float value = seed + static_cast<float>(k) + 0.5f * static_cast<float>(i);
        stage.values.push_back(sine ? std::sin(value) : value);
      }
    }
    blob.stages.push_back(stage);
  }
  return blob;
}

TEST(EmbeddingBlob, RoundTripsAndSelectsConcatenatesAndAverages)
{
  const auto blob = makeBlob(3, 1.0f);
  const auto parsed = EmbeddingBlob::parse(blob.serialize());
  ASSERT_EQ(parsed.classCount(), 3);
  EXPECT_EQ(parsed.stages[1].values, blob.stages[1].values);
  EXPECT_EQ(parsed.classShape(), (std::vector<std::vector<int64_t>>{{2, 3}, {2, 2}}));

  // Class 1 flattened: stage 0's six values, then stage 1's four.
  const auto vector = parsed.classVector(1);
  ASSERT_EQ(vector.size(), 10u);
  EXPECT_FLOAT_EQ(vector[0], 2.0f);
  EXPECT_FLOAT_EQ(vector[5], 4.5f);
  EXPECT_FLOAT_EQ(vector[6], 2.0f);

  const auto joined =
      EmbeddingBlob::concatenateClasses({parsed.selectClass(2), parsed.selectClass(0)});
  EXPECT_EQ(joined.classCount(), 2);
  EXPECT_EQ(joined.classVector(0), parsed.classVector(2));
  EXPECT_EQ(joined.classVector(1), parsed.classVector(0));

  const auto mean = EmbeddingBlob::mean({makeBlob(1, 0.0f), makeBlob(1, 2.0f)});
  EXPECT_EQ(mean.classVector(0), makeBlob(1, 1.0f).classVector(0));
  EXPECT_THROW(EmbeddingBlob::mean({makeBlob(1, 0.0f), makeBlob(2, 0.0f)}), std::invalid_argument);
  EXPECT_THROW(parsed.selectClass(3), std::out_of_range);
}

TEST(EmbeddingBlob, MalformedBytesAreRejected)
{
  const auto bytes = makeBlob(2, 0.0f).serialize();
  EXPECT_THROW(EmbeddingBlob::parse(""), std::invalid_argument);
  EXPECT_THROW(EmbeddingBlob::parse("NOTABLOB" + bytes.substr(8)), std::invalid_argument);
  EXPECT_THROW(EmbeddingBlob::parse(bytes.substr(0, bytes.size() - 1)), std::invalid_argument);
  EXPECT_THROW(EmbeddingBlob::parse(bytes.substr(0, 20)), std::invalid_argument);
  EXPECT_THROW(EmbeddingBlob::parse(bytes + "x"), std::invalid_argument);
  auto huge = bytes;
  const int64_t dimension = int64_t{1} << 23;
  std::memcpy(huge.data() + 12 + 8 * 3, &dimension, sizeof(dimension)); // stage 0 channels
  EXPECT_THROW(EmbeddingBlob::parse(huge), std::invalid_argument);
}

TEST(SimilarityMap, CosineMatrixIsSymmetricWithAUnitDiagonal)
{
  const std::vector<std::vector<float>> vectors = {
      {1, 0, 0}, {0, 2, 0}, {-3, 0, 0}, {1, 1, 0}, {0, 0, 0}};
  const auto matrix = cosineSimilarityMatrix(vectors);
  ASSERT_EQ(matrix.size(), 5u);
  EXPECT_DOUBLE_EQ(matrix[0][0], 1.0);
  EXPECT_DOUBLE_EQ(matrix[0][1], 0.0);
  EXPECT_DOUBLE_EQ(matrix[0][2], -1.0);
  EXPECT_NEAR(matrix[0][3], 1.0 / std::sqrt(2.0), 1e-12);
  EXPECT_DOUBLE_EQ(matrix[3][0], matrix[0][3]);
  EXPECT_DOUBLE_EQ(matrix[4][4], 0.0) << "a zero vector compares as 0, never NaN";
  EXPECT_DOUBLE_EQ(matrix[4][1], 0.0);
  EXPECT_TRUE(cosineSimilarityMatrix({}).empty());
  EXPECT_THROW(cosineSimilarityMatrix({{1, 2}, {1}}), std::invalid_argument);
}

TEST(SimilarityMap, HeatMapUsesTheDivergingColoursAndAColourBar)
{
  EXPECT_EQ(similarityColour(0.0), (std::array<uint8_t, 3>{255, 255, 255}));
  EXPECT_EQ(similarityColour(1.0), (std::array<uint8_t, 3>{180, 4, 38}));
  EXPECT_EQ(similarityColour(-1.0), (std::array<uint8_t, 3>{59, 76, 192}));
  EXPECT_EQ(similarityColour(7.0), similarityColour(1.0));

  auto image = renderHeatMap({{1.0, -1.0}, {-1.0, 1.0}}, 40);
  EXPECT_EQ(image.width, 80u + 8 + 16);
  EXPECT_EQ(image.height, 80u);
  EXPECT_EQ(image.pixel(10, 10)[0], 180) << "diagonal cell (0, 0) is red";
  EXPECT_EQ(image.pixel(50, 10)[2], 192) << "cell (0, 1) is blue";
  EXPECT_EQ(image.pixel(95, 0)[0], 180) << "colour bar: +1 at the top";
  EXPECT_EQ(image.pixel(95, 79)[2], 192) << "colour bar: -1 at the bottom";
  const auto png = dicom::encodePng(image);
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");

  const auto empty = renderHeatMap({});
  EXPECT_GT(empty.height, 0u) << "no class still gives a valid picture (the colour bar)";
  EXPECT_THROW(renderHeatMap({{1.0, 0.0}}), std::invalid_argument);
}

const std::vector<std::vector<int64_t>> kShape = {{2, 3}, {2, 2}};

Json exportOf(const std::vector<MemoryBankEntry>& entries)
{
  return memoryBankDocumentToJson({"model-1", entries});
}

TEST(MemoryBankDocument, ExportParsesBackToTheSameFloats)
{
  const auto row = makeBlob(1, 0.1f, true);
  const auto imported = makeBlob(1, 3.7f, true);
  const auto json = exportOf(
      {{std::nullopt, "checkpoint", 0, row}, {"liver:mine", "imported", std::nullopt, imported}});
  EXPECT_EQ(json["format"], "iris-memory-bank");
  EXPECT_EQ(json["shape"], Json(kShape));
  EXPECT_TRUE(json["classes"][0]["name"].is_null());
  EXPECT_EQ(json["classes"][0]["row"], 0);
  EXPECT_LE(json["classes"][1]["embedding"][0][1].dump().size(), 12u) << "shortest float text";

  const auto parsed = parseMemoryBankDocument(Json::parse(json.dump()), "model-1", kShape);
  ASSERT_EQ(parsed.classes.size(), 2u);
  EXPECT_EQ(parsed.classes[0].source, "checkpoint");
  EXPECT_EQ(parsed.classes[1].name, "liver:mine");
  EXPECT_EQ(parsed.classes[1].embedding.serialize(), imported.serialize()) << "bit-exact";
}

void expectRejected(const Json& document, int status, const std::string& fragment)
{
  try
  {
    parseMemoryBankDocument(document, "model-1", kShape);
    ADD_FAILURE() << "accepted: " << document.dump().substr(0, 300);
  }
  catch (const MemoryBankDocumentError& error)
  {
    EXPECT_EQ(error.status(), status) << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
        << "expected \"" << fragment << "\" in " << error.what();
  }
}

TEST(MemoryBankDocument, BadDocumentsAreRejectedWithTheKey)
{
  const auto good = exportOf({{"liver:mine", "imported", std::nullopt, makeBlob(1, 1.0f)}});
  expectRejected(Json::array(), 400, "expected a JSON object");
  auto changed = good;
  changed["model"] = "model-2";
  expectRejected(changed, 409, "exported from model \"model-2\"");
  changed = good;
  changed["format"] = "other";
  expectRejected(changed, 400, "format");
  changed = good;
  changed["version"] = 2;
  expectRejected(changed, 400, "version");
  changed = good;
  changed["extra"] = 1;
  expectRejected(changed, 400, "unknown key \"extra\"");
  changed = good;
  changed["shape"] = {{2, 3}, {2, 4}};
  expectRejected(changed, 400, "shape: expected [[2,3],[2,2]]");
  changed = good;
  changed["classes"] = Json::array();
  expectRejected(changed, 400, "classes: expected a non-empty list");
  changed = good;
  changed["classes"][0]["embedding"][1].erase(0);
  expectRejected(changed, 400,
                 "classes[0].embedding[1]: expected 4 numbers (2 tokens x 2 channels), got 3");
  changed = good;
  changed["classes"][0]["embedding"].erase(1);
  expectRejected(changed, 400, "classes[0].embedding: expected 2 arrays");
  changed = good;
  changed["classes"][0]["embedding"][0][2] = "1.0";
  expectRejected(changed, 400, "finite float32");
  changed = good;
  changed["classes"][0]["embedding"][0][2] = 1e300;
  expectRejected(changed, 400, "finite float32");
  for (const Json& name : {Json(42), Json(""), Json("17"), Json("a/b"), Json("50%"), Json(" pad")})
  {
    changed = good;
    changed["classes"][0]["name"] = name;
    expectRejected(changed, 400, "classes[0].name");
  }
  changed = good;
  changed["classes"][0]["source"] = "elsewhere";
  expectRejected(changed, 400, "classes[0].source");
  changed = good;
  changed["classes"][0]["row"] = -1;
  expectRejected(changed, 400, "classes[0].row");
  changed = good;
  changed["classes"][0].erase("embedding");
  expectRejected(changed, 400, "classes[0].embedding: required");
}

TEST(AnatomyMap, ComparesBankRowsImportedClassesAndTaskMeans)
{
  test::TempDir dir;
  storage::Database database(dir / "iris.sqlite");
  storage::TaskStore(database).upsert(
      "hippo", R"({"classes": [{"name": "Anterior"}, {"name": "Posterior"}]})", "api", 1);
  storage::ReferenceStore references(database);
  references.replaceForTask("hippo", {{"a", "b", "{}"}, {"c", "d", "{}"}}, 1);
  const auto stored = references.listForTask("hippo");
  references.storeEmbedding(stored[0].id, "model-1", 1, makeBlob(2, 1.0f, true).serialize(), 2);
  references.storeEmbedding(stored[1].id, "model-1", 1, makeBlob(2, 3.0f, true).serialize(), 2);
  references.storeEmbedding(stored[1].id, "model-2", 1, "not for this model", 2);
  storage::MemoryBankStore(database).store(
      "model-1", {{"liver:mine", makeBlob(1, 5.0f, true).serialize(), 0}}, 3);
  // A task with its own voxel size: only the embedding cached at that size counts.
  storage::TaskStore(database).upsert(
      "coarse", R"({"classes": [{"name": "Liver"}], "spacingMm": 3})", "api", 1);
  references.replaceForTask("coarse", {{"e", "f", "{}"}}, 1);
  const auto coarse = references.listForTask("coarse")[0].id;
  references.storeEmbedding(coarse, "model-1", 1, "stale: another voxel size", 2);
  references.storeEmbedding(coarse, "model-1@3mm", 1, makeBlob(1, 7.0f, true).serialize(), 2);

  AnatomyMapInput input{"model-1", makeBlob(3, 0.0f, true).serialize(), {"bank:a", ""}, 1, true};
  const auto map = buildAnatomyMap(database, input);
  ASSERT_EQ(map.classes.size(), 3u + 1 + 1 + 2) << map.classes.dump();
  EXPECT_TRUE(map.skipped.empty()) << Json(map.skipped).dump();
  EXPECT_EQ(map.classes[0]["name"], "bank:a");
  EXPECT_TRUE(map.classes[1]["name"].is_null());
  EXPECT_EQ(map.classes[2]["row"], 2);
  EXPECT_EQ(map.classes[3]["origin"], "imported");
  EXPECT_EQ(map.classes[4], (Json{{"name", "Liver"},
                                  {"source", "task"},
                                  {"task", "coarse"},
                                  {"references", 1},
                                  {"spacingMm", 3.0}}));
  EXPECT_EQ(map.classes[5],
            (Json{{"name", "Anterior"}, {"source", "task"}, {"task", "hippo"}, {"references", 2}}));
  EXPECT_EQ(map.classes[6]["name"], "Posterior");
  ASSERT_EQ(map.matrix.size(), 7u);

  // The task entry is the mean of its two references, compared like any other vector.
  const auto mean = EmbeddingBlob::mean({makeBlob(2, 1.0f, true), makeBlob(2, 3.0f, true)});
  const auto expected =
      cosineSimilarityMatrix({makeBlob(3, 0.0f, true).classVector(0), mean.classVector(1)});
  EXPECT_NEAR(map.matrix[0][6], expected[0][1], 1e-6);
  for (size_t i = 0; i < map.matrix.size(); ++i)
  {
    EXPECT_NEAR(map.matrix[i][i], 1.0, 1e-12);
    for (size_t j = 0; j < map.matrix.size(); ++j)
    {
      EXPECT_DOUBLE_EQ(map.matrix[i][j], map.matrix[j][i]);
      EXPECT_LE(std::abs(map.matrix[i][j]), 1.0);
    }
  }

  input.unnamedRows = false;
  EXPECT_EQ(buildAnatomyMap(database, input).classes.size(), 1u + 1 + 1 + 2);
  const auto json = anatomyMapToJson(map, "model-1");
  EXPECT_EQ(json["matrix"].size(), 7u);
  EXPECT_EQ(json["model"], "model-1");

  input.modelId = "model-3";
  input.memoryBank.clear();
  const auto empty = buildAnatomyMap(database, input);
  EXPECT_TRUE(empty.classes.empty());
  EXPECT_TRUE(empty.matrix.empty());
}
} // namespace
} // namespace iris::plugin
