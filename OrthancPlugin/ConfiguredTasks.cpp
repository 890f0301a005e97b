#include "OrthancPlugin/ConfiguredTasks.h"

#include "OrthancPlugin/TaskDefinition.h"
#include "storage/ReferenceStore.h"
#include "storage/TaskStore.h"

namespace iris::plugin
{
namespace
{
// Keeps the stored task (and its jobs' history) but stops it from matching new series.
bool disableStoredTask(storage::TaskStore& store, const std::string& id, int64_t now)
{
  const auto stored = store.find(id);
  if (!stored || stored->origin != "configuration")
  {
    return false;
  }
  auto document = nlohmann::json::parse(stored->definitionJson);
  document["enabled"] = false;
  store.upsert(id, document.dump(), stored->origin, now);
  return true;
}

void resolveReferences(TaskDefinition& task, const std::filesystem::path& folder,
                       std::vector<std::string>& problems, const std::string& where)
{
  for (size_t r = 0; r < task.references.size(); ++r)
  {
    auto& reference = task.references[r];
    reference.resolveAgainst(folder);
    reference.fingerprint();
    for (const auto& path : {reference.image, reference.labels})
    {
      if (reference.kind == TaskReference::Kind::Nifti && !std::filesystem::is_regular_file(path))
      {
        problems.push_back(where + " (task \"" + task.id + "\").references[" + std::to_string(r) +
                           "]: cannot read " + path.string() +
                           "; its jobs fail until the file exists");
      }
    }
  }
}

} // namespace

void storeTaskReferences(storage::Database& database, const TaskDefinition& task, int64_t now)
{
  std::vector<storage::ReferenceSource> sources;
  for (const auto& reference : task.references)
  {
    sources.push_back({reference.imageSource(), reference.labelSource(),
                       nlohmann::json(reference.classes).dump()});
  }
  storage::ReferenceStore(database).replaceForTask(task.id, sources, now);
}

std::vector<std::string> upsertConfiguredTasks(storage::Database& database,
                                               const nlohmann::json& tasks,
                                               const std::filesystem::path& configurationFolder,
                                               int64_t now)
{
  std::vector<std::string> problems;
  storage::TaskStore store(database);
  for (size_t i = 0; i < tasks.size(); ++i)
  {
    const std::string where = "Iris.Tasks[" + std::to_string(i) + "]";
    try
    {
      auto task = TaskDefinition::parse(tasks[i]);
      // Paths resolved and files hashed before the task is stored with them, outside the lock.
      resolveReferences(task, configurationFolder, problems, where);
      database.transaction(
          [&]
          {
            store.upsert(task.id, task.toJson().dump(), "configuration", now);
            storeTaskReferences(database, task, now);
          });
      if (task.references.empty() && !task.usesMemoryBank())
      {
        problems.push_back(where + " (task \"" + task.id +
                           "\"): no reference and not every class has a memoryBank entry; its "
                           "jobs fail until references are added");
      }
    }
    catch (const InvalidTask& error)
    {
      std::string line = where + ": " + error.what() + "; this task is skipped";
      const auto& document = tasks[i];
      if (document.is_object() && document.contains("id") && document["id"].is_string() &&
          disableStoredTask(store, document["id"].get<std::string>(), now))
      {
        line += " and its stored version disabled";
      }
      problems.push_back(line);
    }
  }
  return problems;
}
} // namespace iris::plugin
