#pragma once

#include "storage/Statement.h"

#include <filesystem>
#include <functional>
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

  // Runs `work` inside one IMMEDIATE transaction; rolls back if it throws.
  void transaction(const std::function<void()>& work);

private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};
} // namespace iris::storage
