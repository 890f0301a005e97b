#include "storage/Database.h"
#include "storage/Migrations.h"
#include "storage/StorageError.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

#include <fstream>

namespace iris::storage
{
namespace
{
TEST(Database, OpensInWalModeAtTheLatestSchema)
{
  test::TempDir dir;
  Database database(dir / "nested" / "iris.sqlite");
  EXPECT_EQ(database.journalMode(), "wal");
  EXPECT_EQ(database.schemaVersion(), latestSchemaVersion());
  auto foreignKeys = database.prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(foreignKeys.step());
  EXPECT_EQ(foreignKeys.columnInt(0), 1);
}

TEST(Database, ADatabaseFromANewerIrisIsRefused)
{
  test::TempDir dir;
  {
    Database database(dir / "iris.sqlite");
    database.execute("PRAGMA user_version = " + std::to_string(latestSchemaVersion() + 1));
  }
  try
  {
    Database reopened(dir / "iris.sqlite");
    ADD_FAILURE() << "opened a database of a newer schema";
  }
  catch (const StorageError& error)
  {
    EXPECT_NE(std::string(error.what()).find("newer than the"), std::string::npos) << error.what();
  }
}

// A database written at schema 3 (before the metric totals) is migrated, and the totals start
// from the results it holds.
TEST(Database, AnOlderDatabaseIsMigratedWithItsData)
{
  test::TempDir dir;
  {
    Database database(dir / "iris.sqlite");
    for (const char* name : {"metrics.segs_written", "metrics.inference_seconds"})
    {
      database.prepare("DELETE FROM properties WHERE name = ?").bind(1, std::string(name)).run();
    }
    database.execute(R"sql(
      INSERT INTO tasks (id, definition, origin, created_at, updated_at)
        VALUES ('t', '{}', 'api', 0, 0);
      INSERT INTO jobs (id, series_id, task_id, model_id, state, priority, attempts,
                        max_attempts, run_after, created_at, updated_at)
        VALUES (1, 's', 't', 'm', 'succeeded', 0, 1, 3, 0, 0, 0),
               (2, 'r', 't', 'm', 'succeeded', 0, 1, 3, 0, 0, 0);
      INSERT INTO results (job_id, source_series, seg_instance_id, seg_series_uid, task_id,
                           model_id, timings, created_at)
        VALUES (1, 's', 'i', 'u', 't', 'm', '{"segment": 2.0}', 0),
               (2, 'r', 'j', 'v', 't', 'm', '{"segment": 0.5}', 0);
      PRAGMA user_version = 3;
    )sql");
  }
  Database migrated(dir / "iris.sqlite");
  EXPECT_EQ(migrated.schemaVersion(), latestSchemaVersion());
  auto totals = migrated.prepare("SELECT name, value FROM properties WHERE name LIKE 'metrics.%' "
                                 "ORDER BY name");
  ASSERT_TRUE(totals.step());
  EXPECT_EQ(totals.columnText(0), "metrics.inference_seconds");
  EXPECT_DOUBLE_EQ(std::stod(totals.columnText(1)), 2.5);
  ASSERT_TRUE(totals.step());
  EXPECT_EQ(totals.columnText(0), "metrics.segs_written");
  EXPECT_EQ(totals.columnText(1), "2");
}

TEST(Database, ReopeningKeepsDataAndDoesNotRemigrate)
{
  test::TempDir dir;
  {
    Database database(dir / "iris.sqlite");
    database.prepare("INSERT INTO properties(name, value) VALUES (?, ?)")
        .bind(1, std::string("cursor"))
        .bind(2, std::string("42"))
        .run();
  }
  Database reopened(dir / "iris.sqlite");
  auto select = reopened.prepare("SELECT value FROM properties WHERE name = ?");
  select.bind(1, std::string("cursor"));
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnText(0), "42");
}

TEST(Database, TransactionRollsBackWhenWorkThrows)
{
  test::TempDir dir;
  Database database(dir / "iris.sqlite");
  EXPECT_THROW(database.transaction([&] {
    database.prepare("INSERT INTO properties(name, value) VALUES ('a', 'b')").run();
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  auto count = database.prepare("SELECT COUNT(*) FROM properties WHERE name = 'a'");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.columnInt(0), 0);
}

TEST(Database, BlobsRoundTripExactly)
{
  test::TempDir dir;
  Database database(dir / "iris.sqlite");
  database.execute("CREATE TABLE blobs (data BLOB)");
  const std::vector<uint8_t> blob = {0, 1, 2, 255, 0, 7};
  database.prepare("INSERT INTO blobs VALUES (?)").bind(1, blob).run();
  auto select = database.prepare("SELECT data FROM blobs");
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.columnBlob(0), blob);
}

TEST(Database, ErrorsNameTheStatement)
{
  test::TempDir dir;
  Database database(dir / "iris.sqlite");
  try
  {
    database.prepare("SELECT * FROM no_such_table");
    FAIL() << "expected a StorageError";
  }
  catch (const StorageError& error)
  {
    EXPECT_NE(std::string(error.what()).find("no_such_table"), std::string::npos);
  }
}

TEST(Database, RefusesAFileThatIsNotADatabase)
{
  test::TempDir dir;
  std::ofstream(dir / "garbage.sqlite") << "this is not an SQLite file, just some text padding "
                                           "it out beyond one hundred bytes so the header is read "
                                           "and found wrong.............................";
  EXPECT_THROW(Database(dir / "garbage.sqlite"), StorageError);
}

TEST(Database, RefusesAPathUnderAFile)
{
  test::TempDir dir;
  std::ofstream(dir / "plain-file") << "x";
  EXPECT_THROW(Database(dir / "plain-file" / "iris.sqlite"), StorageError);
}
} // namespace
} // namespace iris::storage
