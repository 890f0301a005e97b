#include "storage/EmbeddingCatalog.h"

namespace iris::storage
{
std::vector<TaskReferenceEmbedding>
cachedEmbeddingsOfModel(Database& database, const std::string& modelId, int preprocessingVersion)
{
  auto query = database.prepare(
      "SELECT r.task_id, e.reference_id, e.model_id, e.data FROM reference_embeddings e "
      "JOIN reference_contexts r ON r.id = e.reference_id "
      "WHERE (e.model_id = ?1 OR substr(e.model_id, 1, length(?1) + 1) = ?1 || '@') "
      "AND e.preprocessing_version = ?2 ORDER BY r.task_id, r.id, e.model_id");
  query.bind(1, modelId).bind(2, static_cast<int64_t>(preprocessingVersion));
  std::vector<TaskReferenceEmbedding> embeddings;
  while (query.step())
  {
    const auto blob = query.columnBlob(3);
    embeddings.push_back({query.columnText(0), query.columnInt(1), query.columnText(2),
                          std::string(blob.begin(), blob.end())});
  }
  return embeddings;
}
} // namespace iris::storage
