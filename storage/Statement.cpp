#include "storage/Statement.h"

#include "storage/StorageError.h"

#include <sqlite3.h>

namespace iris::storage
{
Statement::Statement(sqlite3* db, const std::string& sql) : db_(db), sql_(sql)
{
  check(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr),
        "prepare");
}

Statement::~Statement()
{
  sqlite3_finalize(stmt_);
}

void Statement::check(int rc, const char* what) const
{
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
  {
    throw StorageError(std::string("SQLite ") + what + " failed (" + sqlite3_errstr(rc) +
                       "): " + sqlite3_errmsg(db_) + " in: " + sql_);
  }
}

Statement& Statement::bind(int index, int64_t value)
{
  check(sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, double value)
{
  check(sqlite3_bind_double(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::string& value)
{
  check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT),
        "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::vector<uint8_t>& blob)
{
  check(
      sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT),
      "bind");
  return *this;
}

Statement& Statement::bindNull(int index)
{
  check(sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

Statement& Statement::bindTrailing(int64_t secondToLast, int64_t last)
{
  const int count = sqlite3_bind_parameter_count(stmt_);
  bind(count - 1, secondToLast);
  return bind(count, last);
}

bool Statement::step()
{
  const int rc = sqlite3_step(stmt_);
  check(rc, "step");
  return rc == SQLITE_ROW;
}

void Statement::run()
{
  while (step())
  {
  }
  reset();
}

void Statement::reset()
{
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::isNull(int column) const
{
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::columnInt(int column) const
{
  return sqlite3_column_int64(stmt_, column);
}

double Statement::columnDouble(int column) const
{
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::columnText(int column) const
{
  const auto* text = sqlite3_column_text(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string();
}

std::vector<uint8_t> Statement::columnBlob(int column) const
{
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  const auto size = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
  return data ? std::vector<uint8_t>(data, data + size) : std::vector<uint8_t>();
}
} // namespace iris::storage
