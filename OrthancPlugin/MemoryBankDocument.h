#pragma once

#include "OrthancPlugin/EmbeddingBlob.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::plugin
{
// The exchange document of GET /iris/memory-bank/export and POST /iris/memory-bank/import
// (docs/admin-api.md, "Memory bank export/import"):
//   {"format": "iris-memory-bank", "version": 1, "model": id, "shape": [[tokens, channels], ...],
//    "classes": [{"name", "source": "checkpoint" | "imported", "row"?, "embedding": [[...], ...]}]}
// `embedding` holds one flat array per stage (deepest first), token-major with channels
// innermost, float32 values written in their shortest exact decimal form.

// A rejected document; `status` is 400 (malformed, wrong shape) or 409 (another model).
class MemoryBankDocumentError : public std::invalid_argument
{
public:
  MemoryBankDocumentError(int status, const std::string& message)
      : std::invalid_argument(message), status_(status)
  {
  }
  int status() const { return status_; }

private:
  int status_;
};

struct MemoryBankEntry
{
  std::optional<std::string> name; // checkpoint rows may be unnamed
  std::string source;              // "checkpoint" or "imported"
  std::optional<int64_t> row;      // checkpoint rows
  EmbeddingBlob embedding;         // one class, batch 1
};

struct MemoryBankDocument
{
  std::string modelId;
  std::vector<MemoryBankEntry> classes;
};

nlohmann::json memoryBankDocumentToJson(const MemoryBankDocument& document);

// Validates every key, type and value of `json` against the model it must fit (its id and the
// per-class shape [[tokens, channels], ...]); throws MemoryBankDocumentError naming the key.
MemoryBankDocument parseMemoryBankDocument(const nlohmann::json& json, const std::string& modelId,
                                           const std::vector<std::vector<int64_t>>& classShape);

// Names of imported classes: 1 to 128 printable ASCII characters without '/', '%' or
// surrounding spaces, not only digits (those are row numbers).
bool isValidImportedClassName(const std::string& name);
} // namespace iris::plugin
