#include "storage/JobStore.h"
#include "storage/StorageError.h"
#include "storage/TaskStore.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

namespace iris::storage
{
namespace
{
TEST(TaskStore, UpsertKeepsCreationTime)
{
  test::TempDir dir;
  Database database(dir / "iris.sqlite");
  TaskStore tasks(database);
  EXPECT_TRUE(tasks.upsert("liver", R"({"v": 1})", "api", 100));
  EXPECT_FALSE(tasks.upsert("liver", R"({"v": 2})", "configuration", 200));
  const auto task = tasks.find("liver");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->definitionJson, R"({"v": 2})");
  EXPECT_EQ(task->origin, "configuration");
  EXPECT_EQ(task->createdAt, 100);
  EXPECT_EQ(task->updatedAt, 200);
  EXPECT_FALSE(tasks.find("spleen"));
}

TEST(TaskStore, ListIsSortedAndRemoveReportsAbsence)
{
  test::TempDir dir;
  Database database(dir / "iris.sqlite");
  TaskStore tasks(database);
  tasks.upsert("b", "{}", "api", 1);
  tasks.upsert("a", "{}", "api", 1);
  const auto all = tasks.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a");
  EXPECT_TRUE(tasks.remove("a"));
  EXPECT_FALSE(tasks.remove("a"));
}

TEST(TaskStore, ATaskWithJobsCannotBeRemoved)
{
  test::TempDir dir;
  Database database(dir / "iris.sqlite");
  TaskStore tasks(database);
  JobStore jobs(database);
  tasks.upsert("liver", "{}", "api", 1);
  jobs.enqueue({"series", "liver", "model", 0, 3, {}}, 1);
  EXPECT_THROW(tasks.remove("liver"), StorageError);
  EXPECT_TRUE(tasks.find("liver"));
}

TEST(PropertyStore, SetOverwritesAndSurvivesReopen)
{
  test::TempDir dir;
  {
    Database database(dir / "iris.sqlite");
    PropertyStore properties(database);
    EXPECT_FALSE(properties.get("changes-cursor"));
    properties.set("changes-cursor", "10");
    properties.set("changes-cursor", "42");
  }
  Database database(dir / "iris.sqlite");
  EXPECT_EQ(PropertyStore(database).get("changes-cursor"), "42");
}
} // namespace
} // namespace iris::storage
