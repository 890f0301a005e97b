#include "storage/ReferenceStore.h"

namespace iris::storage
{
namespace
{
constexpr const char* kSelectReference =
    "SELECT id, task_id, image_source, label_source, class_map, created_at FROM reference_contexts";

StoredReference readReference(const Statement& row)
{
  return {row.columnInt(0),
          row.columnText(1),
          {row.columnText(2), row.columnText(3), row.columnText(4)},
          row.columnInt(5)};
}

bool sameSource(const ReferenceSource& a, const ReferenceSource& b)
{
  return a.imageSource == b.imageSource && a.labelSource == b.labelSource &&
         a.classMapJson == b.classMapJson;
}
} // namespace

void ReferenceStore::replaceForTask(const std::string& taskId,
                                    const std::vector<ReferenceSource>& sources, int64_t now)
{
  db_.transaction(
      [&]
      {
        std::vector<bool> kept(sources.size(), false);
        for (const auto& stored : listForTask(taskId))
        {
          bool wanted = false;
          for (size_t i = 0; i < sources.size() && !wanted; ++i)
          {
            if (!kept[i] && sameSource(stored.source, sources[i]))
            {
              kept[i] = wanted = true;
            }
          }
          if (!wanted)
          {
            auto remove = db_.prepare("DELETE FROM reference_contexts WHERE id = ?");
            remove.bind(1, stored.id);
            remove.run();
          }
        }
        for (size_t i = 0; i < sources.size(); ++i)
        {
          if (kept[i])
          {
            continue;
          }
          auto insert = db_.prepare("INSERT INTO reference_contexts (task_id, image_source, "
                                    "label_source, class_map, created_at) VALUES (?, ?, ?, ?, ?)");
          insert.bind(1, taskId).bind(2, sources[i].imageSource).bind(3, sources[i].labelSource);
          insert.bind(4, sources[i].classMapJson).bind(5, now);
          insert.run();
        }
      });
}

std::vector<StoredReference> ReferenceStore::listForTask(const std::string& taskId)
{
  auto query = db_.prepare(std::string(kSelectReference) + " WHERE task_id = ? ORDER BY id");
  query.bind(1, taskId);
  std::vector<StoredReference> references;
  while (query.step())
  {
    references.push_back(readReference(query));
  }
  return references;
}

std::optional<StoredReference> ReferenceStore::find(int64_t referenceId)
{
  auto query = db_.prepare(std::string(kSelectReference) + " WHERE id = ?");
  query.bind(1, referenceId);
  return query.step() ? std::optional<StoredReference>(readReference(query)) : std::nullopt;
}

std::vector<CachedEmbedding> ReferenceStore::listEmbeddings(int64_t referenceId)
{
  auto query = db_.prepare("SELECT model_id, preprocessing_version, length(data), created_at FROM "
                           "reference_embeddings WHERE reference_id = ? ORDER BY created_at DESC");
  query.bind(1, referenceId);
  std::vector<CachedEmbedding> embeddings;
  while (query.step())
  {
    embeddings.push_back({query.columnText(0), static_cast<int>(query.columnInt(1)),
                          query.columnInt(2), query.columnInt(3)});
  }
  return embeddings;
}

std::optional<std::string> ReferenceStore::findEmbedding(int64_t referenceId,
                                                         const std::string& modelId,
                                                         int preprocessingVersion)
{
  auto query = db_.prepare("SELECT data FROM reference_embeddings WHERE reference_id = ? AND "
                           "model_id = ? AND preprocessing_version = ?");
  query.bind(1, referenceId).bind(2, modelId).bind(3, static_cast<int64_t>(preprocessingVersion));
  if (!query.step())
  {
    return std::nullopt;
  }
  const auto blob = query.columnBlob(0);
  return std::string(blob.begin(), blob.end());
}

void ReferenceStore::storeEmbedding(int64_t referenceId, const std::string& modelId,
                                    int preprocessingVersion, const std::string& bytes, int64_t now)
{
  // Two workers may encode the same reference at once; both results are equal, keep either.
  auto insert = db_.prepare("INSERT OR REPLACE INTO reference_embeddings (reference_id, model_id, "
                            "preprocessing_version, data, created_at) VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, referenceId).bind(2, modelId).bind(3, static_cast<int64_t>(preprocessingVersion));
  insert.bind(4, std::vector<uint8_t>(bytes.begin(), bytes.end())).bind(5, now);
  db_.transaction([&] { insert.run(); });
}
} // namespace iris::storage
