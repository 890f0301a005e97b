#include "OrthancPlugin/ConfiguredTasks.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "storage/ReferenceStore.h"
#include "storage/TaskStore.h"
#include "tests/support/TempDir.h"

#include <fstream>
#include <gtest/gtest.h>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

Json taskWithReferences(const Json& references)
{
  return {{"id", "hippo"},
          {"classes", Json::array({{{"name", "Anterior"}}, {{"name", "Posterior"}}})},
          {"references", references}};
}

std::string parseError(const Json& document)
{
  try
  {
    TaskDefinition::parse(document);
  }
  catch (const InvalidTask& error)
  {
    return error.what();
  }
  return "";
}

TEST(TaskReference, NiftiAndOrthancReferencesRoundTrip)
{
  const auto task = TaskDefinition::parse(taskWithReferences(Json::parse(R"([
      {"image": "a.nii.gz", "labels": "b.nii.gz", "classes": {"Anterior": 1, "Posterior": 2}},
      {"series": "0a1b2c3d-00000000-11111111-22222222-33333333",
       "seg": "44444444-55555555-66666666-77777777-8899aabb", "classes": {"Anterior": 2, "Posterior": 1}}])")));
  ASSERT_EQ(task.references.size(), 2u);
  EXPECT_EQ(task.references[0].kind, TaskReference::Kind::Nifti);
  EXPECT_EQ(task.references[1].kind, TaskReference::Kind::OrthancSeg);
  EXPECT_EQ(task.references[1].classes.at("Anterior"), 2);
  EXPECT_EQ(TaskDefinition::parse(task.toJson()).toJson(), task.toJson());
  EXPECT_FALSE(task.usesMemoryBank());

  for (const auto& reference : task.references)
  {
    const auto back = TaskReference::fromSources(reference.imageSource(), reference.labelSource(),
                                                 Json(reference.classes).dump());
    EXPECT_EQ(back.toJson(), reference.toJson());
  }
}

TEST(TaskReference, UnknownClassNamesTheTaskAndTheClass)
{
  const auto error = parseError(taskWithReferences(Json::parse(
      R"([{"image": "a", "labels": "b", "classes": {"Anterior": 1, "Posterior": 2, "Tail": 3}}])")));
  EXPECT_NE(error.find("task.references[0].classes"), std::string::npos) << error;
  EXPECT_NE(error.find("\"Tail\" is not a class of task \"hippo\""), std::string::npos) << error;
}

TEST(TaskReference, EveryClassMustBeMapped)
{
  const auto error = parseError(taskWithReferences(
      Json::parse(R"([{"image": "a", "labels": "b", "classes": {"Anterior": 1}}])")));
  EXPECT_NE(error.find("\"Posterior\" of task \"hippo\" is missing"), std::string::npos) << error;
}

TEST(TaskReference, MalformedReferencesAreRejected)
{
  for (const auto* text :
       {R"([{"image": "a", "series": "s", "classes": {"Anterior": 1, "Posterior": 2}}])",
        R"([{"image": "a", "labels": "b"}])",
        R"([{"image": "a", "labels": "b", "classes": {"Anterior": 0, "Posterior": 2}}])",
        R"([{"image": "a", "labels": "b", "classes": {"Anterior": 1, "Posterior": 2}, "x": 1}])",
        R"({"image": "a"})"})
  {
    EXPECT_NE(parseError(taskWithReferences(Json::parse(text))), "") << text;
  }
}

TEST(TaskReference, MemoryBankByRowNumberOrName)
{
  const auto task = TaskDefinition::parse(Json::parse(R"({"id": "bank",
      "classes": [{"name": "A", "memoryBank": 3}, {"name": "B", "memoryBank": "msd:b"}]})"));
  EXPECT_EQ(*task.classes[0].memoryBankClass, "3");
  EXPECT_TRUE(task.usesMemoryBank()) << "no reference and every class in the bank";
}

TEST(ConfiguredTasks, RelativeReferencePathsFollowTheConfigurationFolder)
{
  test::TempDir dir;
  std::ofstream(dir / "a.nii.gz") << "image";
  std::ofstream(dir / "b.nii.gz") << "labels";
  storage::Database database(dir / "iris.sqlite");
  const auto problems = upsertConfiguredTasks(
      database, Json::array({taskWithReferences(Json::parse(R"([{"image": "a.nii.gz",
          "labels": "b.nii.gz", "classes": {"Anterior": 1, "Posterior": 2}}])"))}),
      dir.path(), 1);
  EXPECT_TRUE(problems.empty()) << problems.front();
  const auto stored = storage::ReferenceStore(database).listForTask("hippo");
  ASSERT_EQ(stored.size(), 1u);
  const auto reference = TaskReference::fromSources(
      stored[0].source.imageSource, stored[0].source.labelSource, stored[0].source.classMapJson);
  EXPECT_EQ(reference.image, dir / "a.nii.gz");
  EXPECT_EQ(reference.labels, dir / "b.nii.gz");
  EXPECT_EQ(reference.imageFingerprint.size(), 16u);
}

TEST(ConfiguredTasks, BadReferenceDisablesTheStoredTaskAndSaysSo)
{
  test::TempDir dir;
  storage::Database database(dir / "iris.sqlite");
  const Json good = {{"id", "hippo"}, {"classes", Json::array({{{"name", "Anterior"}}})}};
  EXPECT_EQ(upsertConfiguredTasks(database, Json::array({good}), dir.path(), 1).size(), 1u)
      << "a task without reference or memory bank is stored with a warning";
  Json bad = good;
  bad["references"] =
      Json::parse(R"([{"image": "a", "labels": "b", "classes": {"Anterior": 1, "Antrior": 2}}])");
  const auto problems = upsertConfiguredTasks(database, Json::array({bad}), dir.path(), 2);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("\"Antrior\" is not a class of task \"hippo\""), std::string::npos);
  EXPECT_NE(problems[0].find("disabled"), std::string::npos) << problems[0];
  const auto stored = storage::TaskStore(database).find("hippo");
  ASSERT_TRUE(stored);
  EXPECT_FALSE(TaskDefinition::parse(Json::parse(stored->definitionJson)).enabled);
}
} // namespace
} // namespace iris::plugin
