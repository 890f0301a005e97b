#include "storage/MemoryBankStore.h"

#include "storage/EmbeddingCatalog.h"
#include "storage/ReferenceStore.h"
#include "storage/TaskStore.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

namespace iris::storage
{
namespace
{
class MemoryBankStoreTest : public ::testing::Test
{
protected:
  test::TempDir dir;
  Database database{dir / "iris.sqlite"};
  MemoryBankStore store{database};
};

TEST_F(MemoryBankStoreTest, ClassesAreStoredPerModelAndListedByName)
{
  store.store("model:1", {{"liver:b", std::string("\0two", 4), 0}, {"liver:a", "one", 0}}, 10);
  store.store("model:2", {{"liver:a", "other", 0}}, 11);
  const auto listed = store.list("model:1");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "liver:a");
  EXPECT_EQ(listed[1].name, "liver:b");
  EXPECT_EQ(listed[1].data, std::string("\0two", 4)) << "blobs keep their NUL bytes";
  EXPECT_EQ(listed[0].updatedAt, 10);
  EXPECT_EQ(store.find("model:2", "liver:a"), "other");
  EXPECT_FALSE(store.find("model:3", "liver:a")) << "another model never sees them";
}

TEST_F(MemoryBankStoreTest, StoringAgainReplacesAndRemoveReportsWhetherItFoundOne)
{
  store.store("model:1", {{"spleen", "old", 0}}, 10);
  store.store("model:1", {{"spleen", "new", 0}}, 20);
  EXPECT_EQ(store.find("model:1", "spleen"), "new");
  EXPECT_EQ(store.list("model:1").at(0).updatedAt, 20);
  EXPECT_FALSE(store.remove("model:2", "spleen"));
  EXPECT_TRUE(store.remove("model:1", "spleen"));
  EXPECT_FALSE(store.remove("model:1", "spleen"));
  EXPECT_TRUE(store.list("model:1").empty());
}

TEST_F(MemoryBankStoreTest, CachedEmbeddingsOfAModelComeWithTheirTask)
{
  TaskStore tasks(database);
  tasks.upsert("zeta", "{}", "api", 1);
  tasks.upsert("alpha", "{}", "api", 1);
  ReferenceStore references(database);
  references.replaceForTask("zeta", {{"i1", "l1", "{}"}}, 2);
  references.replaceForTask("alpha", {{"i2", "l2", "{}"}, {"i3", "l3", "{}"}}, 2);
  const auto zeta = references.listForTask("zeta")[0].id;
  const auto alpha = references.listForTask("alpha");
  references.storeEmbedding(zeta, "model:1", 1, "z", 3);
  references.storeEmbedding(alpha[1].id, "model:1", 1, "a2", 3);
  references.storeEmbedding(alpha[0].id, "model:1", 1, "a1", 3);
  references.storeEmbedding(alpha[0].id, "model:2", 1, "other model", 3);
  references.storeEmbedding(alpha[0].id, "model:1", 2, "other preprocessing", 3);
  references.storeEmbedding(alpha[1].id, "model:10", 1, "a model whose id only starts so", 3);
  references.storeEmbedding(zeta, "model:1@3mm", 1, "z at 3 mm", 3);

  const auto cached = cachedEmbeddingsOfModel(database, "model:1", 1);
  ASSERT_EQ(cached.size(), 4u);
  EXPECT_EQ(cached[0].taskId, "alpha");
  EXPECT_EQ(cached[0].data, "a1");
  EXPECT_EQ(cached[0].modelKey, "model:1");
  EXPECT_EQ(cached[1].data, "a2");
  EXPECT_EQ(cached[2].taskId, "zeta");
  EXPECT_EQ(cached[2].referenceId, zeta);
  EXPECT_EQ(cached[2].modelKey, "model:1");
  EXPECT_EQ(cached[3].modelKey, "model:1@3mm") << "a task's own voxel size";
  EXPECT_EQ(cached[3].data, "z at 3 mm");
  EXPECT_TRUE(cachedEmbeddingsOfModel(database, "model:3", 1).empty());
}
} // namespace
} // namespace iris::storage
