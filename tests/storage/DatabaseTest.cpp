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
  auto count = database.prepare("SELECT COUNT(*) FROM properties");
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
