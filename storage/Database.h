#pragma once

#include "storage/Statement.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

struct sqlite3;

namespace iris::storage
{
// One SQLite connection with the project's settings: WAL journal, foreign keys on, a busy
// timeout, and the schema migrated to the newest version on open.
class Database
{
public:
  explicit Database(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::filesystem::path& path() const { return path_; }
  int schemaVersion();
  std::string journalMode();

  Statement prepare(const std::string& sql);
  void execute(const std::string& sql);

  // Runs `work` inside one IMMEDIATE transaction; rolls back if it throws. The connection is
  // shared by threads, so the transaction also holds the connection's lock: statements from other
  // threads wait instead of joining it. Nested calls on the same thread join the outer one.
  void transaction(const std::function<void()>& work);

  // Only meaningful inside transaction(), where no other thread can interleave.
  int64_t lastInsertId();
  int changes();

private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::recursive_mutex mutex_;
  int transactionDepth_ = 0;
};
} // namespace iris::storage
