#include "OrthancPlugin/SeriesWatcher.h"

#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/OrthancSeriesCandidate.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "storage/JobStore.h"
#include "storage/TaskStore.h"

#include <nlohmann/json.hpp>

namespace iris::plugin
{
namespace
{
constexpr const char* kCursorProperty = "orthanc.changes.cursor";
constexpr auto kReplayPeriod = std::chrono::seconds(10);
constexpr int kChangesPerPage = 100;
} // namespace

SeriesWatcher::SeriesWatcher(storage::Database& database, std::string modelId, int maxAttempts,
                             QueuedHook onQueued)
    : database_(database), modelId_(std::move(modelId)), maxAttempts_(maxAttempts),
      onQueued_(std::move(onQueued))
{
}

SeriesWatcher::~SeriesWatcher()
{
  stop();
}

void SeriesWatcher::notifyStableSeries(const std::string& seriesId)
{
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back(seriesId);
  }
  wake_.notify_one();
}

void SeriesWatcher::start()
{
  std::lock_guard<std::mutex> lock(mutex_);
  if (!thread_.joinable())
  {
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
  }
}

void SeriesWatcher::stop()
{
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
  {
    thread_.join();
  }
}

void SeriesWatcher::run()
{
  auto nextReplay = std::chrono::steady_clock::now();
  for (;;)
  {
    std::string seriesId;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_until(lock, nextReplay, [this] { return stopping_ || !pending_.empty(); });
      if (stopping_)
      {
        return;
      }
      if (!pending_.empty())
      {
        seriesId = pending_.front();
        pending_.pop_front();
      }
    }
    try
    {
      if (!seriesId.empty())
      {
        considerSeries(seriesId);
      }
      else
      {
        replayChanges();
        nextReplay = std::chrono::steady_clock::now() + kReplayPeriod;
      }
    }
    catch (const std::exception& error)
    {
      logError("series watcher: " + std::string(error.what()));
    }
  }
}

void SeriesWatcher::replayChanges()
{
  storage::PropertyStore properties(database_);
  int64_t cursor = std::stoll(properties.get(kCursorProperty).value_or("0"));
  for (;;)
  {
    const auto page = restGetJson("/changes?since=" + std::to_string(cursor) +
                                  "&limit=" + std::to_string(kChangesPerPage));
    for (const auto& change : page.at("Changes"))
    {
      if (change.at("ChangeType") == "StableSeries")
      {
        considerSeries(change.at("ID").get<std::string>());
      }
    }
    const int64_t last = page.at("Last").get<int64_t>();
    if (last > cursor)
    {
      // Only after every change up to `last` led to its jobs, so a crash replays them instead.
      cursor = last;
      properties.set(kCursorProperty, std::to_string(cursor));
    }
    if (page.at("Done").get<bool>() || page.at("Changes").empty())
    {
      return;
    }
  }
}

void SeriesWatcher::considerSeries(const std::string& seriesId)
{
  nlohmann::json series;
  try
  {
    series = restGetJson("/series/" + seriesId);
  }
  catch (const OrthancRestError& error)
  {
    if (error.notFound())
    {
      return; // deleted since it became stable
    }
    throw;
  }
  const auto candidate = examineOrthancSeries(series);
  if (candidate.skipReason)
  {
    return;
  }

  storage::TaskStore tasks(database_);
  storage::JobStore jobs(database_);
  for (const auto& stored : tasks.list())
  {
    const auto task =
        TaskDefinition::parse(nlohmann::json::parse(stored.definitionJson), stored.id);
    if (!selectTask(task, candidate).selected)
    {
      continue;
    }
    const auto job =
        jobs.enqueue({seriesId, task.id, modelId_, task.priority, maxAttempts_, {}}, nowMs());
    if (job.created && onQueued_)
    {
      if (const auto queued = jobs.find(job.id))
      {
        onQueued_(*queued);
      }
    }
  }
}
} // namespace iris::plugin
