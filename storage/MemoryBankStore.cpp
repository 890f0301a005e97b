#include "storage/MemoryBankStore.h"

namespace iris::storage
{
std::vector<ImportedClass> MemoryBankStore::list(const std::string& modelId)
{
  auto query = db_.prepare("SELECT class_name, data, updated_at FROM memory_bank WHERE model_id = "
                           "? ORDER BY class_name");
  query.bind(1, modelId);
  std::vector<ImportedClass> classes;
  while (query.step())
  {
    const auto blob = query.columnBlob(1);
    classes.push_back(
        {query.columnText(0), std::string(blob.begin(), blob.end()), query.columnInt(2)});
  }
  return classes;
}

std::optional<std::string> MemoryBankStore::find(const std::string& modelId,
                                                 const std::string& name)
{
  auto query = db_.prepare("SELECT data FROM memory_bank WHERE model_id = ? AND class_name = ?");
  query.bind(1, modelId).bind(2, name);
  if (!query.step())
  {
    return std::nullopt;
  }
  const auto blob = query.columnBlob(0);
  return std::string(blob.begin(), blob.end());
}

void MemoryBankStore::store(const std::string& modelId, const std::vector<ImportedClass>& classes,
                            int64_t now)
{
  db_.transaction(
      [&]
      {
        for (const auto& imported : classes)
        {
          auto insert = db_.prepare("INSERT OR REPLACE INTO memory_bank (model_id, class_name, "
                                    "data, updated_at) VALUES (?, ?, ?, ?)");
          insert.bind(1, modelId).bind(2, imported.name);
          insert.bind(3, std::vector<uint8_t>(imported.data.begin(), imported.data.end()));
          insert.bind(4, now);
          insert.run();
        }
      });
}

bool MemoryBankStore::remove(const std::string& modelId, const std::string& name)
{
  bool removed = false;
  db_.transaction(
      [&]
      {
        auto statement =
            db_.prepare("DELETE FROM memory_bank WHERE model_id = ? AND class_name = ?");
        statement.bind(1, modelId).bind(2, name);
        statement.run();
        removed = db_.changes() > 0;
      });
  return removed;
}
} // namespace iris::storage
