#include "OrthancPlugin/AnatomyMap.h"

#include "OrthancPlugin/EmbeddingBlob.h"
#include "OrthancPlugin/ModelIdentity.h"
#include "storage/EmbeddingCatalog.h"
#include "storage/MemoryBankStore.h"
#include "storage/TaskStore.h"

#include <cmath>
#include <map>
#include <optional>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

// What the map needs of a stored task: its class names and the key its jobs cache embeddings
// under (its own voxel size, if any, is part of it).
struct TaskView
{
  Json classes = Json::array();
  std::optional<double> spacingMm;
  std::string embeddingKey;

  TaskView(storage::Database& database, const std::string& taskId, const std::string& modelId)
  {
    const auto stored = storage::TaskStore(database).find(taskId);
    const auto definition =
        stored ? Json::parse(stored->definitionJson, nullptr, false) : Json(nullptr);
    if (definition.is_object())
    {
      classes = definition.value("classes", Json::array());
      if (definition.value("spacingMm", Json()).is_number())
      {
        spacingMm = definition["spacingMm"].get<double>();
      }
    }
    embeddingKey = embeddingModelKey(modelId, spacingMm);
  }

  // "class <k+1>" where the definition names none.
  std::string className(int64_t k) const
  {
    const bool named = classes.is_array() && k < static_cast<int64_t>(classes.size()) &&
                       classes[k].is_object() && classes[k].value("name", Json()).is_string();
    return named ? classes[k]["name"].get<std::string>() : "class " + std::to_string(k + 1);
  }
};

class MapBuilder
{
public:
  explicit MapBuilder(AnatomyMap& map) : map_(map) {}

  void add(Json description, const EmbeddingBlob& blob, int64_t index)
  {
    const auto shape = blob.classShape();
    if (!vectors_.empty() && shape != shape_)
    {
      map_.skipped.push_back(description.dump() + ": its shape differs from the memory bank's");
      return;
    }
    shape_ = shape;
    vectors_.push_back(blob.classVector(index));
    map_.classes.push_back(std::move(description));
  }

  void finish() { map_.matrix = cosineSimilarityMatrix(vectors_); }

private:
  AnatomyMap& map_;
  std::vector<std::vector<int64_t>> shape_;
  std::vector<std::vector<float>> vectors_;
};

void addTasks(storage::Database& database, const AnatomyMapInput& input, AnatomyMap& map,
              MapBuilder& builder)
{
  std::map<std::string, TaskView> tasks;
  std::map<std::string, std::vector<EmbeddingBlob>> byTask;
  for (const auto& cached :
       storage::cachedEmbeddingsOfModel(database, input.modelId, input.preprocessingVersion))
  {
    const auto& task =
        tasks.try_emplace(cached.taskId, database, cached.taskId, input.modelId).first->second;
    if (cached.modelKey != task.embeddingKey)
    {
      continue; // cached at a voxel size the task no longer uses
    }
    const std::string where =
        "task \"" + cached.taskId + "\" reference " + std::to_string(cached.referenceId);
    try
    {
      auto blob = EmbeddingBlob::parse(cached.data);
      auto& pool = byTask[cached.taskId];
      if (!pool.empty() && (blob.classShape() != pool.front().classShape() ||
                            blob.classCount() != pool.front().classCount()))
      {
        map.skipped.push_back(where + ": its shape differs from the task's other references");
        continue;
      }
      pool.push_back(std::move(blob));
    }
    catch (const std::exception& error)
    {
      map.skipped.push_back(where + ": " + error.what());
    }
  }
  for (const auto& [taskId, pool] : byTask)
  {
    const auto& task = tasks.at(taskId);
    const auto mean = EmbeddingBlob::mean(pool);
    for (int64_t k = 0; k < mean.classCount(); ++k)
    {
      Json entry = {{"name", task.className(k)},
                    {"source", "task"},
                    {"task", taskId},
                    {"references", pool.size()}};
      if (task.spacingMm)
      {
        entry["spacingMm"] = *task.spacingMm;
      }
      builder.add(std::move(entry), mean, k);
    }
  }
}
} // namespace

AnatomyMap buildAnatomyMap(storage::Database& database, const AnatomyMapInput& input)
{
  AnatomyMap map;
  MapBuilder builder(map);
  if (!input.memoryBank.empty())
  {
    const auto bank = EmbeddingBlob::parse(input.memoryBank);
    for (int64_t row = 0; row < bank.classCount(); ++row)
    {
      const bool named = row < static_cast<int64_t>(input.memoryBankNames.size()) &&
                         !input.memoryBankNames[row].empty();
      if (named || input.unnamedRows)
      {
        builder.add({{"name", named ? Json(input.memoryBankNames[row]) : Json(nullptr)},
                     {"source", "memory-bank"},
                     {"origin", "checkpoint"},
                     {"row", row}},
                    bank, row);
      }
    }
  }
  for (const auto& imported : storage::MemoryBankStore(database).list(input.modelId))
  {
    try
    {
      builder.add({{"name", imported.name}, {"source", "memory-bank"}, {"origin", "imported"}},
                  EmbeddingBlob::parse(imported.data), 0);
    }
    catch (const std::exception& error)
    {
      map.skipped.push_back("imported class \"" + imported.name + "\": " + error.what());
    }
  }
  addTasks(database, input, map, builder);
  builder.finish();
  return map;
}

Json anatomyMapToJson(const AnatomyMap& map, const std::string& modelId)
{
  Json matrix = Json::array();
  for (const auto& row : map.matrix)
  {
    Json values = Json::array();
    for (const double value : row)
    {
      values.push_back(std::round(value * 1e6) / 1e6);
    }
    matrix.push_back(std::move(values));
  }
  return {
      {"model", modelId}, {"classes", map.classes}, {"matrix", matrix}, {"skipped", map.skipped}};
}
} // namespace iris::plugin
