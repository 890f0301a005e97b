#pragma once

#include "storage/Database.h"

#include <optional>
#include <string>
#include <vector>

namespace iris::storage
{
// A task's labelled example as stored: where the image and the labels come from (opaque text
// the plugin writes and reads) and the class map (JSON).
struct ReferenceSource
{
  std::string imageSource;
  std::string labelSource;
  std::string classMapJson;
};

struct StoredReference
{
  int64_t id = 0;
  std::string taskId;
  ReferenceSource source;
  int64_t createdAt = 0;
};

// One cached embedding of a reference, without its bytes.
struct CachedEmbedding
{
  std::string modelId;
  int preprocessingVersion = 0;
  int64_t bytes = 0;
  int64_t createdAt = 0;
};

// Reference contexts of tasks and their cached embeddings, keyed by model id and preprocessing
// version so that other weights or another preprocessing never reuse them.
class ReferenceStore
{
public:
  explicit ReferenceStore(Database& database) : db_(database) {}

  // Makes the task's references exactly `sources`, in one transaction. Rows whose sources are
  // unchanged keep their id and cached embeddings; the others are deleted (with theirs).
  void replaceForTask(const std::string& taskId, const std::vector<ReferenceSource>& sources,
                      int64_t now);
  // In the order they were first stored.
  std::vector<StoredReference> listForTask(const std::string& taskId);
  std::optional<StoredReference> find(int64_t referenceId);
  // Every cached embedding of the reference, newest first.
  std::vector<CachedEmbedding> listEmbeddings(int64_t referenceId);

  std::optional<std::string> findEmbedding(int64_t referenceId, const std::string& modelId,
                                           int preprocessingVersion);
  void storeEmbedding(int64_t referenceId, const std::string& modelId, int preprocessingVersion,
                      const std::string& bytes, int64_t now);

private:
  Database& db_;
};
} // namespace iris::storage
