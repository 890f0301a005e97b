#include "OrthancPlugin/ConfiguredTasks.h"

#include "OrthancPlugin/TaskDefinition.h"
#include "storage/TaskStore.h"

namespace iris::plugin
{
std::vector<std::string> upsertConfiguredTasks(storage::Database& database,
                                               const nlohmann::json& tasks, int64_t now)
{
  std::vector<std::string> problems;
  storage::TaskStore store(database);
  for (size_t i = 0; i < tasks.size(); ++i)
  {
    try
    {
      const auto task = TaskDefinition::parse(tasks[i]);
      store.upsert(task.id, task.toJson().dump(), "configuration", now);
    }
    catch (const InvalidTask& error)
    {
      problems.push_back("Iris.Tasks[" + std::to_string(i) + "]: " + error.what() +
                         "; this task is skipped");
    }
  }
  return problems;
}
} // namespace iris::plugin
