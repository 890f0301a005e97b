#include "OrthancPlugin/ModelIdentity.h"
#include "OrthancPlugin/TaskDefinition.h"

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

TEST(TaskDefinition, ErrorsNameTheKey)
{
  const std::vector<std::pair<std::function<void(Json&)>, std::string>> cases = {
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
      {[](Json& t) {
         t["match"] = {{"Modality", 7}};
       },
       "task.match.Modality"},
      {[](Json& t) { t["colour"] = "red"; }, "unknown key \"colour\""},
      {[](Json& t) { t["classes"][0]["name"] = std::string(65, 'x'); }, "at most 64"},
  };
  for (const auto& [mutate, message] : cases)
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
