#include "storage/Database.h"

#include "storage/Migrations.h"
#include "storage/StorageError.h"

#include <sqlite3.h>

namespace iris::storage
{
namespace
{
constexpr int kBusyTimeoutMs = 10000;
}

Database::Database(const std::filesystem::path& path) : path_(path)
{
  std::error_code ec;
  if (path.has_parent_path())
  {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
    {
      throw StorageError("Cannot create the folder of database " + path.string() + ": " +
                         ec.message());
    }
  }
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK)
  {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError("Cannot open database " + path.string() + ": " + reason);
  }
  try
  {
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    execute("PRAGMA foreign_keys = ON");
    if (journalMode() != "wal")
    {
      throw StorageError("Database " + path.string() + " refused WAL journal mode");
    }
    if (schemaVersion() > latestSchemaVersion())
    {
      throw StorageError("Database " + path.string() + " has schema version " +
                         std::to_string(schemaVersion()) + ", newer than the " +
                         std::to_string(latestSchemaVersion()) +
                         " this Iris knows: a newer Iris wrote it. Use that version, or "
                         "another DatabasePath");
    }
    for (const auto& migration : migrations())
    {
      if (migration.version <= schemaVersion())
      {
        continue;
      }
      transaction(
          [&]
          {
            execute(migration.sql);
            execute("PRAGMA user_version = " + std::to_string(migration.version));
          });
    }
  }
  catch (...)
  {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Database::~Database()
{
  sqlite3_close(db_);
}

int Database::schemaVersion()
{
  auto statement = prepare("PRAGMA user_version");
  statement.step();
  return static_cast<int>(statement.columnInt(0));
}

std::string Database::journalMode()
{
  auto statement = prepare("PRAGMA journal_mode = WAL");
  statement.step();
  return statement.columnText(0);
}

Statement Database::prepare(const std::string& sql)
{
  return Statement(db_, sql);
}

void Database::execute(const std::string& sql)
{
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK)
  {
    const std::string reason = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw StorageError("SQLite error in " + path_.string() + ": " + reason + " in: " + sql);
  }
}

void Database::transaction(const std::function<void()>& work)
{
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (transactionDepth_ > 0)
  {
    work();
    return;
  }
  execute("BEGIN IMMEDIATE");
  ++transactionDepth_;
  try
  {
    work();
    --transactionDepth_;
    execute("COMMIT");
  }
  catch (...)
  {
    transactionDepth_ = 0;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int64_t Database::lastInsertId()
{
  return sqlite3_last_insert_rowid(db_);
}

int Database::changes()
{
  return sqlite3_changes(db_);
}
} // namespace iris::storage
