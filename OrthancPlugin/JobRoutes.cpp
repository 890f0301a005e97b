#include "OrthancPlugin/JobRoutes.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/JobLog.h"
#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/OrthancSeriesCandidate.h"
#include "OrthancPlugin/TaskSeriesRequest.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "storage/JobHistory.h"
#include "storage/JobStore.h"
#include "storage/StorageError.h"
#include "storage/TaskStore.h"

#include <limits>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

constexpr int64_t kMaxListedJobs = 1000;
constexpr size_t kMaxSegmentBodyBytes = 64 * 1024;

Json optionalJson(const std::optional<std::string>& value)
{
  return value ? Json(*value) : Json(nullptr);
}

Json optionalJson(const std::optional<int64_t>& value)
{
  return value ? Json(*value) : Json(nullptr);
}

Json describe(const storage::Job& job)
{
  return {{"id", job.id},
          {"series", job.seriesId},
          {"task", job.taskId},
          {"model", job.modelId},
          {"generation", job.generation},
          {"state", storage::toString(job.state)},
          {"priority", job.priority},
          {"attempts", job.attempts},
          {"maxAttempts", job.maxAttempts},
          {"runAfter", job.runAfter},
          {"segSeriesUid", optionalJson(job.segSeriesUid)},
          {"segInstanceUid", optionalJson(job.segInstanceUid)},
          {"error", optionalJson(job.error)},
          {"createdAt", job.createdAt},
          {"updatedAt", job.updatedAt},
          {"startedAt", optionalJson(job.startedAt)},
          {"finishedAt", optionalJson(job.finishedAt)},
          {"strategy", optionalJson(job.strategy)}};
}

storage::JobFilter jobFilter(const RestRequest& request)
{
  storage::JobFilter filter;
  if (const auto state = queryParameter(request, "state"))
  {
    try
    {
      filter.state = storage::parseJobState(*state);
    }
    catch (const storage::StorageError&)
    {
      throw HttpError(400, "state: \"" + *state +
                               "\" is not one of queued, running, succeeded, failed, cancelled");
    }
  }
  if (const auto task = queryParameter(request, "task"))
  {
    filter.taskId = checkedTaskId(*task);
  }
  if (const auto series = queryParameter(request, "series"))
  {
    filter.seriesId = checkedOrthancId(*series, "series");
  }
  if (const auto since = queryParameter(request, "since"))
  {
    filter.updatedSince = integerParameter(*since, "since (epoch milliseconds)", 0,
                                           std::numeric_limits<int64_t>::max() / 2);
  }
  if (const auto limit = queryParameter(request, "limit"))
  {
    filter.limit = static_cast<int>(integerParameter(*limit, "limit", 1, kMaxListedJobs));
  }
  return filter;
}

RestAnswer listJobs(const RestRequest& request)
{
  const auto filter = jobFilter(request);
  Json jobs = Json::array();
  for (const auto& job : storage::JobStore(adminDatabase()).list(filter))
  {
    jobs.push_back(describe(job));
  }
  return RestAnswer::json(jobs);
}

storage::Job existingJob(storage::JobStore& jobs, const std::string& text)
{
  const int64_t id = integerParameter(text, "job id", 1, std::numeric_limits<int64_t>::max() / 2);
  const auto job = jobs.find(id);
  if (!job)
  {
    throw HttpError(404, "No job " + text);
  }
  return *job;
}

RestAnswer getJob(const RestRequest& request)
{
  auto& database = adminDatabase();
  storage::JobStore jobs(database);
  const auto job = existingJob(jobs, request.groups.at(0));
  Json answer = describe(job);
  answer["result"] = nullptr;
  if (const auto result = storage::JobHistory(database).resultOf(job.id))
  {
    answer["result"] = {{"segInstanceId", result->segInstanceId},
                        {"segSeriesUid", result->segSeriesUid},
                        {"timings", Json::parse(result->timingsJson)},
                        {"createdAt", result->createdAt}};
  }
  return RestAnswer::json(answer);
}

void announceQueued(const storage::Job& job)
{
  if (const auto& hook = pluginState().onJobQueued)
  {
    hook(job);
  }
}

RestAnswer retryJob(const RestRequest& request)
{
  storage::JobStore jobs(adminDatabase());
  const auto job = existingJob(jobs, request.groups.at(0));
  if (!jobs.retry(job.id, nowMs()))
  {
    throw HttpError(409, "Job " + std::to_string(job.id) + " is " + storage::toString(job.state) +
                             "; only failed or cancelled jobs can be retried");
  }
  const auto queued = jobs.find(job.id);
  announceQueued(*queued);
  return RestAnswer::json(describe(*queued));
}

RestAnswer cancelJob(const RestRequest& request)
{
  storage::JobStore jobs(adminDatabase());
  const auto job = existingJob(jobs, request.groups.at(0));
  if (!jobs.cancel(job.id, nowMs()))
  {
    throw HttpError(409, "Job " + std::to_string(job.id) + " is " + storage::toString(job.state) +
                             "; only queued or running jobs can be cancelled");
  }
  const auto cancelled = jobs.find(job.id);
  logInfo(jobTransitionLine(*cancelled, "cancelled", 0.0, "cancelled through the REST API"));
  return RestAnswer::json(describe(*cancelled));
}

// What a manual run asks for: the body's "tasks" (none: every matching task) and "strategy" (none:
// each task's own).
struct ManualRun
{
  std::vector<std::string> ids;
  std::optional<std::string> strategy;
};

ManualRun requestedRun(const RestRequest& request)
{
  ManualRun run;
  auto& ids = run.ids;
  if (request.body.empty())
  {
    return run;
  }
  const Json body = jsonBody(request);
  if (!body.is_object())
  {
    throw HttpError(400, "Expected {\"tasks\": [\"<task id>\", ...], \"strategy\": \"...\"}");
  }
  for (const auto& item : body.items())
  {
    if (item.key() != "tasks" && item.key() != "strategy")
    {
      throw HttpError(400, "Unknown key \"" + item.key() + "\"; expected \"tasks\" or \"strategy\"");
    }
  }
  if (body.contains("strategy"))
  {
    run.strategy = checkedStrategy(body["strategy"]);
  }
  if (body.contains("tasks"))
  {
    if (!body["tasks"].is_array() || body["tasks"].empty())
    {
      throw HttpError(400, "tasks: expected a non-empty list of task ids");
    }
    for (const auto& id : body["tasks"])
    {
      if (!id.is_string())
      {
        throw HttpError(400, "tasks: expected task ids (strings), got " + id.dump());
      }
      ids.push_back(checkedTaskId(id.get<std::string>()));
    }
  }
  return run;
}

// The enabled tasks to run: those named (each must exist and be enabled), else every enabled task
// the watcher would select for the series (selectTask, as the rule tester explains).
std::vector<TaskDefinition> tasksToRun(storage::Database& database,
                                       const std::vector<std::string>& ids,
                                       const SeriesCandidate& candidate)
{
  storage::TaskStore store(database);
  std::vector<TaskDefinition> tasks;
  const auto parse = [](const storage::StoredTask& stored)
  { return TaskDefinition::parse(Json::parse(stored.definitionJson), stored.id); };
  for (const auto& id : ids)
  {
    const auto stored = store.find(id);
    if (!stored)
    {
      throw HttpError(400, "tasks: no task \"" + id + "\"");
    }
    tasks.push_back(parse(*stored));
    if (!tasks.back().enabled)
    {
      throw HttpError(400, "tasks: task \"" + id + "\" is disabled");
    }
  }
  if (ids.empty())
  {
    for (const auto& stored : store.list())
    {
      auto task = parse(stored);
      if (selectTask(task, candidate).selected)
      {
        tasks.push_back(std::move(task));
      }
    }
  }
  return tasks;
}

RestAnswer segmentSeries(const RestRequest& request)
{
  const std::string& seriesId = checkedOrthancId(request.groups.at(0), "series");
  const auto run = requestedRun(request);
  auto& database = adminDatabase();
  const auto candidate = examineOrthancSeries(orthancSeries(seriesId));
  if (candidate.skipReason)
  {
    throw HttpError(422, "Series " + seriesId + " cannot be segmented: " + *candidate.skipReason);
  }

  PluginState& state = pluginState();
  storage::JobStore jobs(database);
  Json queued = Json::array();
  const auto tasks = tasksToRun(database, run.ids, candidate);
  if (run.strategy)
  {
    for (const auto& task : tasks)
    {
      withRunStrategy(task, *run.strategy); // refuses before any job is queued
    }
  }
  for (const auto& task : tasks)
  {
    const auto rerun = jobs.rerun({seriesId, task.id, state.modelId, task.priority,
                                   state.settings.maxAttempts, run.strategy},
                                  nowMs());
    const auto job = jobs.find(rerun.id);
    if (rerun.created)
    {
      announceQueued(*job);
    }
    queued.push_back(describe(*job));
  }
  return RestAnswer::json({{"series", seriesId}, {"jobs", queued}});
}
} // namespace

void registerJobRoutes()
{
  // Route fields: regex, get, post, put, remove, body cap.
  registerRoute({"/iris/jobs", listJobs, {}, {}, {}});
  registerRoute({"/iris/jobs/([^/]+)", getJob, {}, {}, {}});
  registerRoute({"/iris/jobs/([^/]+)/retry", {}, retryJob, {}, {}});
  registerRoute({"/iris/jobs/([^/]+)/cancel", {}, cancelJob, {}, {}});
  registerRoute({"/iris/series/([^/]+)/segment", {}, segmentSeries, {}, {}, kMaxSegmentBodyBytes});
}
} // namespace iris::plugin
