#pragma once

#include "storage/Database.h"

#include <optional>
#include <string>
#include <vector>

namespace iris::storage
{
struct StoredTask
{
  std::string id;
  std::string definitionJson; // validated by the caller before it is stored
  std::string origin;         // "api" or "configuration"
  int64_t createdAt = 0;
  int64_t updatedAt = 0;
};

// Segmentation tasks as stored documents. Validation belongs to the plugin; this only keeps them.
class TaskStore
{
public:
  explicit TaskStore(Database& database) : db_(database) {}

  // Inserts or replaces the definition; keeps the creation time of an existing task.
  // Returns true when the task is new.
  bool upsert(const std::string& id, const std::string& definitionJson, const std::string& origin,
              int64_t now);
  std::optional<StoredTask> find(const std::string& id);
  std::vector<StoredTask> list();
  // False when no such task exists. Throws StorageError when jobs still refer to it.
  bool remove(const std::string& id);

private:
  Database& db_;
};

// Small named values that must survive restarts, such as the Orthanc /changes cursor.
class PropertyStore
{
public:
  explicit PropertyStore(Database& database) : db_(database) {}

  std::optional<std::string> get(const std::string& name);
  void set(const std::string& name, const std::string& value);

private:
  Database& db_;
};
} // namespace iris::storage
