#include "OrthancPlugin/TaskRoutes.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/ConfiguredTasks.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/ReferenceChecks.h"
#include "OrthancPlugin/ReferenceUploads.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "storage/JobHistory.h"
#include "storage/JobStore.h"
#include "storage/TaskStore.h"

namespace iris::plugin
{
namespace
{
// Task documents are small; references point at files or Orthanc resources, never carry data.
constexpr size_t kMaxTaskBytes = 256 * 1024;

nlohmann::json describe(storage::Database& database, const storage::StoredTask& stored)
{
  return {{"id", stored.id},
          {"origin", stored.origin},
          {"createdAt", stored.createdAt},
          {"updatedAt", stored.updatedAt},
          {"activeJobs", storage::JobStore(database).countActiveForTask(stored.id)},
          {"definition", nlohmann::json::parse(stored.definitionJson)}};
}

TaskDefinition parseTask(const RestRequest& request, const std::string& id)
{
  try
  {
    auto document = jsonBody(request);
    applyDefaultStrategy(document, pluginState().settings.defaultStrategy);
    return TaskDefinition::parse(document, id);
  }
  catch (const InvalidTask& error)
  {
    throw HttpError(400, error.what());
  }
}

RestAnswer listTasks(const RestRequest&)
{
  auto& database = adminDatabase();
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& stored : storage::TaskStore(database).list())
  {
    tasks.push_back(describe(database, stored));
  }
  return RestAnswer::json(tasks);
}

// Stores the task with its references in one transaction: a new one (POST) or a replacement.
RestAnswer storeTask(TaskDefinition task, bool create)
{
  auto& database = adminDatabase();
  prepareRestReferences(task);
  storage::TaskStore store(database);
  database.transaction(
      [&]
      {
        const auto existing = store.find(task.id);
        if (create && existing)
        {
          throw HttpError(409, "Task \"" + task.id + "\" exists already; PUT /iris/tasks/" +
                                   task.id + " replaces it");
        }
        if (!create && !existing)
        {
          throw HttpError(404, "No task \"" + task.id + "\"; POST /iris/tasks creates it");
        }
        // A configured task edited here stays "configuration": the file wins at the next start.
        store.upsert(task.id, task.toJson().dump(), existing ? existing->origin : "api", nowMs());
        storeTaskReferences(database, task, nowMs());
      });
  {
    const auto lock = lockUploads(); // a replaced uploaded reference leaves its files unused
    removeUnusedUploads(database);
  }
  return RestAnswer::json(describe(database, *store.find(task.id)));
}

RestAnswer createTask(const RestRequest& request)
{
  return storeTask(parseTask(request, {}), true);
}

RestAnswer replaceTask(const RestRequest& request)
{
  return storeTask(parseTask(request, checkedTaskId(request.groups.at(0))), false);
}

RestAnswer getTask(const RestRequest& request)
{
  const std::string& id = checkedTaskId(request.groups.at(0));
  auto& database = adminDatabase();
  const auto stored = storage::TaskStore(database).find(id);
  if (!stored)
  {
    throw HttpError(404, "No task \"" + id + "\"");
  }
  return RestAnswer::json(describe(database, *stored));
}

RestAnswer deleteTask(const RestRequest& request)
{
  const std::string& id = checkedTaskId(request.groups.at(0));
  const int64_t outcome = storage::JobHistory(adminDatabase()).removeTask(id);
  if (outcome < 0)
  {
    throw HttpError(404, "No task \"" + id + "\"");
  }
  if (outcome > 0)
  {
    throw HttpError(409, "Task \"" + id + "\" has " + std::to_string(outcome) +
                             " queued or running job(s); cancel them (POST "
                             "/iris/jobs/{id}/cancel) or wait until they end");
  }
  const auto lock = lockUploads();
  removeUnusedUploads(adminDatabase());
  return RestAnswer::json({{"deleted", id}});
}
} // namespace

void registerTaskRoutes()
{
  // Route fields: regex, get, post, put, remove, body cap.
  registerRoute({"/iris/tasks", listTasks, createTask, {}, {}, kMaxTaskBytes});
  registerRoute({"/iris/tasks/([^/]+)", getTask, {}, replaceTask, deleteTask, kMaxTaskBytes});
}
} // namespace iris::plugin
