#include "OrthancPlugin/TaskDefinition.h"

#include "OrthancPlugin/ModelIdentity.h"
#include "tests/support/Process.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <fstream>
#include <functional>
#include <gtest/gtest.h>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

Json hippocampusTask()
{
  return Json::parse(R"({
    "id": "hippocampus", "description": "Left and right hippocampus on T1 MR",
    "priority": 5, "strategy": "ensemble",
    "match": {"Modality": "MR", "MinSlices": 20},
    "classes": [
      {"name": "Hippocampus anterior", "memoryBank": "msd_hippocampus:hippocampus anterior",
       "category": {"value": "123037004", "scheme": "SCT", "meaning": "Anatomical Structure"},
       "type": {"value": "5976003", "meaning": "Hippocampus"}, "colour": [220, 180, 140]},
      {"name": "Hippocampus posterior"}
    ]})");
}

TEST(TaskDefinition, ParsesAndRoundTrips)
{
  const auto task = TaskDefinition::parse(hippocampusTask());
  EXPECT_EQ(task.id, "hippocampus");
  EXPECT_EQ(task.priority, 5);
  ASSERT_EQ(task.classes.size(), 2u);
  EXPECT_EQ(task.classes[0].type->scheme, "SCT");
  EXPECT_EQ((*task.classes[0].colour)[0], 220);
  EXPECT_FALSE(task.classes[1].memoryBankClass);
  const auto again = TaskDefinition::parse(task.toJson());
  EXPECT_EQ(again.toJson(), task.toJson());
}

TEST(TaskDefinition, DefaultsAreDocumentedValues)
{
  const auto task =
      TaskDefinition::parse(Json::parse(R"({"classes": [{"name": "Liver"}]})"), "liver");
  EXPECT_TRUE(task.enabled);
  EXPECT_EQ(task.priority, 0);
  EXPECT_EQ(task.strategy, "ensemble");
  EXPECT_TRUE(task.match.empty());
}

TEST(TaskDefinition, RulesDecideMatching)
{
  const auto task = TaskDefinition::parse(hippocampusTask());
  dicom::SeriesAttributes series;
  series.modality = "MR";
  series.sliceCount = 40;
  EXPECT_TRUE(task.rules.matches(series));
  series.modality = "CT";
  EXPECT_FALSE(task.rules.matches(series));
}

// Broken task documents, each with a part of the message the parser must give.
std::vector<std::pair<std::function<void(Json&)>, std::string>> invalidTaskCases()
{
  return {
      {[](Json& t) { t["id"] = "Bad Id"; }, "task.id"},
      {[](Json& t) { t["classes"] = Json::array(); }, "task.classes"},
      {[](Json& t) { t["classes"][1]["name"] = "Hippocampus anterior"; }, "appears twice"},
      {[](Json& t) {
         t["classes"][0]["colour"] = {300, 0, 0};
       },
       "task.classes[0].colour"},
      {[](Json& t) {
         t["classes"][0]["type"] = {{"value", "1"}};
       },
       "task.classes[0].type.meaning"},
      {[](Json& t) { t["strategy"] = "magic"; }, "task.strategy"},
      {[](Json& t) { t["strategy"] = "memory-bank"; }, "task.classes[1].memoryBank"},
      {[](Json& t) { t["priority"] = "high"; }, "task.priority"},
      // Above INT64_MAX: read as a signed number it would wrap to -1 and pass the range check.
      {[](Json& t) { t["priority"] = Json::parse("18446744073709551615"); }, "task.priority"},
      {[](Json& t) { t["classes"][0]["colour"] = Json::parse("[4294967296, 0, 0]"); },
       "task.classes[0].colour"},
      {[](Json& t) {
         t["match"] = {{"Modality", 7}};
       },
       "task.match.Modality"},
      {[](Json& t) { t["colour"] = "red"; }, "unknown key \"colour\""},
      {[](Json& t) { t["classes"][0]["name"] = std::string(65, 'x'); }, "at most 64"},
      {[](Json& t) {
         t["references"] =
             Json::parse(R"([{"series": "../../etc", "seg": "x", "classes": {"a": 1}}])");
       },
       "task.references[0].series"},
      {[](Json& t)
       {
         t["references"] =
             Json::parse(R"([{"image": "i.nii", "labels": "l.nii", "classes": {"a": 0}}])");
       },
       "task.references[0].classes"},
  };
}

TEST(TaskDefinition, ErrorsNameTheKey)
{
  for (const auto& [mutate, message] : invalidTaskCases())
  {
    Json document = hippocampusTask();
    mutate(document);
    try
    {
      TaskDefinition::parse(document);
      ADD_FAILURE() << "accepted " << document.dump();
    }
    catch (const InvalidTask& error)
    {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos)
          << "wanted \"" << message << "\", got: " << error.what();
    }
  }
}

// What config/task.schema.json says of each document: nothing when it accepts one, else the
// first error (tests/plugin/task-schema-verdicts.py, Debian's python3-jsonschema).
std::vector<std::string> schemaErrors(const std::vector<Json>& documents)
{
  test::TempDir temp;
  std::ofstream(temp / "documents.json") << Json(documents).dump();
  const auto result = test::runProcess(
      {"/usr/bin/python3", (test::sourceDir() / "tests/plugin/task-schema-verdicts.py").string(),
       (test::sourceDir() / "config/task.schema.json").string(),
       (temp / "documents.json").string()});
  if (result.exitCode != 0)
  {
    ADD_FAILURE() << "the schema check did not run: " << result.output;
    return {};
  }
  std::vector<std::string> errors;
  for (const Json& verdict : Json::parse(result.output))
  {
    errors.push_back(verdict.is_null() ? "" : verdict.get<std::string>());
  }
  return errors;
}

// Admins check their documents with the published schema, the plugin with the parser: the two
// must agree. The one rule a JSON schema cannot state is that class names are unique.
TEST(TaskDefinition, ThePublishedSchemaAgreesWithTheParser)
{
  std::ifstream example(test::sourceDir() / "config/orthanc-iris.example.json");
  const auto configuration = Json::parse(example, nullptr, true, /*ignore_comments=*/true);
  std::vector<Json> valid(configuration["Iris"]["Tasks"].begin(),
                          configuration["Iris"]["Tasks"].end());
  valid.push_back(hippocampusTask());
  valid.push_back(Json::parse(R"({"id": "liver", "strategy": "memory-bank", "priority": -100,
      "classes": [{"name": "Liver", "memoryBank": 3}, {"name": "Spleen", "memoryBank": "ts:spleen"}],
      "match": {"Modality": ["CT"], "Orientation": "axial", "MaxSlices": 900}})"));
  std::vector<Json> invalid;
  std::vector<std::string> messages;
  for (const auto& [mutate, message] : invalidTaskCases())
  {
    if (message != "appears twice")
    {
      invalid.push_back(hippocampusTask());
      mutate(invalid.back());
      messages.push_back(message);
    }
  }
  std::vector<Json> documents = valid;
  documents.insert(documents.end(), invalid.begin(), invalid.end());
  const auto errors = schemaErrors(documents);
  ASSERT_EQ(errors.size(), documents.size());
  for (size_t i = 0; i < valid.size(); ++i)
  {
    EXPECT_NO_THROW(TaskDefinition::parse(valid[i])) << valid[i].dump();
    EXPECT_EQ(errors[i], "") << valid[i].dump();
  }
  for (size_t i = 0; i < invalid.size(); ++i)
  {
    EXPECT_NE(errors[valid.size() + i], "") << "the schema accepts what the parser refuses ("
                                            << messages[i] << "): " << invalid[i].dump();
  }
}

TEST(TaskDefinition, UrlIdMustAgreeWithTheDocument)
{
  EXPECT_THROW(TaskDefinition::parse(hippocampusTask(), "liver"), InvalidTask);
  EXPECT_EQ(TaskDefinition::parse(hippocampusTask(), "hippocampus").id, "hippocampus");
}

TEST(TaskDefinition, TaskIds)
{
  EXPECT_TRUE(isValidTaskId("ct-liver_v2.1"));
  EXPECT_FALSE(isValidTaskId(""));
  EXPECT_FALSE(isValidTaskId("-leading"));
  EXPECT_FALSE(isValidTaskId("../etc"));
  EXPECT_FALSE(isValidTaskId("UPPER"));
  EXPECT_FALSE(isValidTaskId(std::string(65, 'a')));
}
} // namespace
} // namespace iris::plugin

namespace iris::plugin
{
namespace
{
TEST(TaskDefinition, SpacingIsOptionalBoundedAndKeysTheEmbeddingCache)
{
  auto document = hippocampusTask();
  EXPECT_FALSE(TaskDefinition::parse(document).spacingMm);
  EXPECT_EQ(embeddingModelKey("iris-default:3f2a", std::nullopt), "iris-default:3f2a");

  document["spacingMm"] = 2.5;
  const auto task = TaskDefinition::parse(document);
  EXPECT_EQ(task.spacingMm, std::optional<double>(2.5));
  EXPECT_EQ(TaskDefinition::parse(task.toJson()).spacingMm, std::optional<double>(2.5));
  EXPECT_EQ(embeddingModelKey("iris-default:3f2a", task.spacingMm), "iris-default:3f2a@2.5mm");

  for (const auto& bad : {Json(0.1), Json(21), Json("3"), Json(nullptr)})
  {
    document["spacingMm"] = bad;
    try
    {
      TaskDefinition::parse(document);
      ADD_FAILURE() << "accepted spacingMm " << bad.dump();
    }
    catch (const InvalidTask& error)
    {
      EXPECT_NE(std::string(error.what()).find("task.spacingMm"), std::string::npos);
    }
  }
}

TEST(TaskDefinition, AManualRunStrategyIsCheckedLikeTheTasks)
{
  const auto task = TaskDefinition::parse(hippocampusTask());
  EXPECT_EQ(task.withStrategy("one-shot").strategy, "one-shot");
  // Class 2 names no memory-bank row, so the memory bank cannot serve this task.
  EXPECT_THROW(task.withStrategy("memory-bank"), InvalidTask);
  EXPECT_THROW(task.withStrategy("guess"), InvalidTask);
}

TEST(TaskDefinition, DefaultStrategyOnlyFillsAMissingOne)
{
  auto document = hippocampusTask();
  applyDefaultStrategy(document, "tuning");
  EXPECT_EQ(document["strategy"], "ensemble");
  document.erase("strategy");
  applyDefaultStrategy(document, "tuning");
  EXPECT_EQ(TaskDefinition::parse(document).strategy, "tuning");
}
} // namespace
} // namespace iris::plugin
