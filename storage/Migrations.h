#pragma once

#include <string>
#include <vector>

namespace iris::storage
{
struct Migration
{
  int version;
  std::string sql;
};

// The ordered schema history. A database at version N gets every migration above N, each in its
// own transaction, so an interrupted upgrade resumes where it stopped.
const std::vector<Migration>& migrations();
int latestSchemaVersion();
} // namespace iris::storage
