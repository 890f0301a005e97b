#include "storage/Migrations.h"

namespace iris::storage
{
const std::vector<Migration>& migrations()
{
  static const std::vector<Migration> all = {
      {1, R"sql(
        CREATE TABLE properties (
          name  TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      )sql"},
  };
  return all;
}

int latestSchemaVersion()
{
  return migrations().back().version;
}
} // namespace iris::storage
