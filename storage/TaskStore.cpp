#include "storage/TaskStore.h"

namespace iris::storage
{
namespace
{
StoredTask readTask(const Statement& row)
{
  return {row.columnText(0), row.columnText(1), row.columnText(2), row.columnInt(3),
          row.columnInt(4)};
}

constexpr const char* kSelectTask =
    "SELECT id, definition, origin, created_at, updated_at FROM tasks";
} // namespace

bool TaskStore::upsert(const std::string& id, const std::string& definitionJson,
                       const std::string& origin, int64_t now)
{
  bool created = false;
  db_.transaction(
      [&]
      {
        created = !find(id).has_value();
        auto upsert = db_.prepare("INSERT INTO tasks (id, definition, origin, created_at, "
                                  "updated_at) VALUES (?, ?, ?, ?, ?) "
                                  "ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, "
                                  "origin = excluded.origin, updated_at = excluded.updated_at");
        upsert.bind(1, id).bind(2, definitionJson).bind(3, origin).bind(4, now).bind(5, now);
        upsert.run();
      });
  return created;
}

std::optional<StoredTask> TaskStore::find(const std::string& id)
{
  auto query = db_.prepare(std::string(kSelectTask) + " WHERE id = ?");
  query.bind(1, id);
  return query.step() ? std::optional<StoredTask>(readTask(query)) : std::nullopt;
}

std::vector<StoredTask> TaskStore::list()
{
  auto query = db_.prepare(std::string(kSelectTask) + " ORDER BY id");
  std::vector<StoredTask> tasks;
  while (query.step())
  {
    tasks.push_back(readTask(query));
  }
  return tasks;
}

bool TaskStore::remove(const std::string& id)
{
  bool removed = false;
  db_.transaction(
      [&]
      {
        auto statement = db_.prepare("DELETE FROM tasks WHERE id = ?");
        statement.bind(1, id);
        statement.run();
        removed = db_.changes() > 0;
      });
  return removed;
}

std::optional<std::string> PropertyStore::get(const std::string& name)
{
  auto query = db_.prepare("SELECT value FROM properties WHERE name = ?");
  query.bind(1, name);
  return query.step() ? std::optional<std::string>(query.columnText(0)) : std::nullopt;
}

void PropertyStore::set(const std::string& name, const std::string& value)
{
  auto statement = db_.prepare("INSERT INTO properties (name, value) VALUES (?, ?) "
                               "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
  statement.bind(1, name).bind(2, value);
  statement.run();
}
} // namespace iris::storage
