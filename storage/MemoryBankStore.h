#pragma once

#include "storage/Database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iris::storage
{
// A memory-bank class imported through the admin API: one class's task embedding (the bytes of
// TaskEmbedding::serialize, batch 1, one class) under a name, for one model id.
struct ImportedClass
{
  std::string name;
  std::string data;
  int64_t updatedAt = 0;
};

// Imported memory-bank classes (table memory_bank). They belong to the model whose weights made
// them: another model id never sees them.
class MemoryBankStore
{
public:
  explicit MemoryBankStore(Database& database) : db_(database) {}

  // Sorted by name.
  std::vector<ImportedClass> list(const std::string& modelId);
  std::optional<std::string> find(const std::string& modelId, const std::string& name);
  // Inserts or replaces every class, in one transaction.
  void store(const std::string& modelId, const std::vector<ImportedClass>& classes, int64_t now);
  // False when the model has no such class.
  bool remove(const std::string& modelId, const std::string& name);

private:
  Database& db_;
};
} // namespace iris::storage
