#include "OrthancPlugin/SeriesWatcher.h"

#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/OrthancSeriesCandidate.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "storage/JobStore.h"
#include "storage/TaskStore.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

namespace iris::plugin
{
namespace
{
constexpr const char* kCursorProperty = "orthanc.changes.cursor";
constexpr auto kReplayPeriod = std::chrono::seconds(10);
constexpr int kChangesPerPage = 100;
// Replays that may fail on one series (Orthanc busy, a series it cannot describe) before the
// cursor moves past it; without a bound, one such series would hold back every later one.
constexpr int kReplayAttempts = 3;
} // namespace

SeriesWatcher::SeriesWatcher(storage::Database& database, std::string modelId, int maxAttempts,
                             bool processExistingSeries, QueuedHook onQueued)
    : database_(database), modelId_(std::move(modelId)), maxAttempts_(maxAttempts),
      processExistingSeries_(processExistingSeries), onQueued_(std::move(onQueued))
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

int64_t SeriesWatcher::startingCursor()
{
  storage::PropertyStore properties(database_);
  if (const auto stored = properties.get(kCursorProperty))
  {
    return std::stoll(*stored);
  }
  if (processExistingSeries_)
  {
    logInfo("series watcher: first start; replaying Orthanc's whole change log "
            "(Iris.ProcessExistingSeries), so the series already stored are matched too");
    return 0;
  }
  const int64_t last = restGetJson("/changes?last").at("Last").get<int64_t>();
  properties.set(kCursorProperty, std::to_string(last));
  logInfo("series watcher: first start; the " + std::to_string(last) +
          " changes already in Orthanc's log are not replayed. Series stored before now are "
          "segmented on request (POST /iris/series/{id}/segment), or all of them with "
          "Iris.ProcessExistingSeries: true on a fresh Iris database");
  return last;
}

void SeriesWatcher::replayChanges()
{
  storage::PropertyStore properties(database_);
  int64_t cursor = startingCursor();
  for (;;)
  {
    const auto page = restGetJson("/changes?since=" + std::to_string(cursor) +
                                  "&limit=" + std::to_string(kChangesPerPage));
    // The cursor only moves past a change once it led to its jobs, so a crash replays it; a
    // series to retry at the next replay stops it just before that change.
    int64_t handled = cursor;
    bool retryLater = false;
    for (const auto& change : page.at("Changes"))
    {
      if (change.at("ChangeType") == "StableSeries" &&
          !considerReplayedSeries(change.at("ID").get<std::string>()))
      {
        retryLater = true;
        break;
      }
      handled = change.at("Seq").get<int64_t>();
    }
    const int64_t reached =
        retryLater ? handled : std::max(handled, page.at("Last").get<int64_t>());
    if (reached > cursor)
    {
      cursor = reached;
      properties.set(kCursorProperty, std::to_string(cursor));
    }
    if (retryLater || page.at("Done").get<bool>() || page.at("Changes").empty())
    {
      return;
    }
  }
}

bool SeriesWatcher::considerReplayedSeries(const std::string& seriesId)
{
  try
  {
    considerSeries(seriesId);
    replayFailures_.erase(seriesId);
    return true;
  }
  catch (const std::exception& error)
  {
    const int failures = ++replayFailures_[seriesId];
    if (failures < kReplayAttempts)
    {
      logWarning("series watcher: series " + seriesId + " could not be matched (attempt " +
                 std::to_string(failures) + " of " + std::to_string(kReplayAttempts) +
                 "), retried at the next replay: " + error.what());
      return false;
    }
    replayFailures_.erase(seriesId);
    logError("series watcher: series " + seriesId + " skipped after " +
             std::to_string(kReplayAttempts) + " failed attempts to match it: " + error.what() +
             ". POST /iris/series/" + seriesId + "/segment runs it by hand");
    return true;
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
    std::optional<TaskDefinition> parsed;
    try
    {
      parsed = TaskDefinition::parse(nlohmann::json::parse(stored.definitionJson), stored.id);
    }
    catch (const std::exception& error)
    {
      // One broken stored task must not keep a series from the others.
      logError("series watcher: task \"" + stored.id + "\" is skipped for series " + seriesId +
               ": its stored definition does not parse: " + error.what());
      continue;
    }
    const TaskDefinition& task = *parsed;
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
