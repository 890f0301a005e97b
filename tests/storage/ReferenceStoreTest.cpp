#include "storage/ReferenceStore.h"

#include "storage/TaskStore.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

namespace iris::storage
{
namespace
{
class ReferenceStoreTest : public ::testing::Test
{
protected:
  void SetUp() override { TaskStore(database).upsert("hippo", "{}", "configuration", 1); }

  test::TempDir dir;
  Database database{dir / "iris.sqlite"};
  ReferenceStore store{database};
  const ReferenceSource first{"nifti:aa:/a.nii.gz", "nifti:bb:/a_labels.nii.gz", R"({"A":1})"};
  const ReferenceSource second{"orthanc-series:s", "orthanc-seg:g", R"({"A":2})"};
};

TEST_F(ReferenceStoreTest, UnchangedReferencesKeepTheirIdAndCachedEmbeddings)
{
  store.replaceForTask("hippo", {first, second}, 10);
  const auto before = store.listForTask("hippo");
  ASSERT_EQ(before.size(), 2u);
  store.storeEmbedding(before[0].id, "model:1", 1, std::string("\0\1\2", 3), 11);
  store.storeEmbedding(before[1].id, "model:1", 1, "second", 11);

  const ReferenceSource changed{"nifti:cc:/a.nii.gz", first.labelSource, first.classMapJson};
  store.replaceForTask("hippo", {changed, second}, 20);
  const auto after = store.listForTask("hippo");
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, before[1].id) << "the unchanged reference keeps its row";
  EXPECT_EQ(after[1].source.imageSource, "nifti:cc:/a.nii.gz");
  EXPECT_EQ(store.findEmbedding(before[1].id, "model:1", 1), "second");
  EXPECT_FALSE(store.findEmbedding(before[0].id, "model:1", 1)) << "deleted with its reference";
  EXPECT_FALSE(store.findEmbedding(after[1].id, "model:1", 1));
}

TEST_F(ReferenceStoreTest, EmbeddingsAreKeyedByModelAndPreprocessingVersion)
{
  store.replaceForTask("hippo", {first}, 10);
  const int64_t id = store.listForTask("hippo")[0].id;
  store.storeEmbedding(id, "model:1", 1, std::string("\0bytes", 6), 11);
  EXPECT_EQ(store.findEmbedding(id, "model:1", 1), std::string("\0bytes", 6));
  EXPECT_FALSE(store.findEmbedding(id, "model:2", 1));
  EXPECT_FALSE(store.findEmbedding(id, "model:1", 2));
  store.storeEmbedding(id, "model:1", 1, "again", 12);
  EXPECT_EQ(store.findEmbedding(id, "model:1", 1), "again");
}

TEST_F(ReferenceStoreTest, OneReferenceIsFoundWithItsSourcesAndCachedEmbeddings)
{
  store.replaceForTask("hippo", {first, second}, 10);
  const int64_t id = store.listForTask("hippo")[1].id;
  const auto found = store.find(id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->taskId, "hippo");
  EXPECT_EQ(found->source.labelSource, "orthanc-seg:g");
  EXPECT_EQ(found->createdAt, 10);
  EXPECT_FALSE(store.find(id + 100));

  EXPECT_TRUE(store.listEmbeddings(id).empty());
  store.storeEmbedding(id, "model:1", 1, "four", 11);
  store.storeEmbedding(id, "model:2", 1, "sixsix", 12);
  const auto cached = store.listEmbeddings(id);
  ASSERT_EQ(cached.size(), 2u);
  EXPECT_EQ(cached[0].modelId, "model:2");
  EXPECT_EQ(cached[0].bytes, 6);
  EXPECT_EQ(cached[0].createdAt, 12);
  EXPECT_EQ(cached[1].preprocessingVersion, 1);
}

TEST_F(ReferenceStoreTest, ReplacingWithNothingRemovesEveryReference)
{
  store.replaceForTask("hippo", {first, second}, 10);
  store.replaceForTask("hippo", {}, 20);
  EXPECT_TRUE(store.listForTask("hippo").empty());
}
} // namespace
} // namespace iris::storage
