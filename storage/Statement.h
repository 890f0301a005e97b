#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace iris::storage
{
// A prepared statement. Values are always bound, never spliced into SQL text.
class Statement
{
public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const std::vector<uint8_t>& blob);
  Statement& bindNull(int index);
  // Binds the last two parameters, in order; for statements ending in "... = ? WHERE id = ?".
  Statement& bindTrailing(int64_t secondToLast, int64_t last);

  // Advances to the next row; false once the statement is done.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  bool isNull(int column) const;
  int64_t columnInt(int column) const;
  double columnDouble(int column) const;
  std::string columnText(int column) const;
  std::vector<uint8_t> columnBlob(int column) const;

private:
  void check(int rc, const char* what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};
} // namespace iris::storage
