#pragma once

#include "storage/Database.h"
#include "storage/Job.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace iris::plugin
{
// Turns stable series into jobs. Two feeds end in the same place: the change callback hands over
// series ids (O(1), no REST calls on Orthanc's change thread), and a replay of Orthanc's
// /changes log from a cursor kept in SQLite catches up on whatever became stable while the
// plugin was down. Matching and enqueueing are idempotent, so a series seen twice makes no
// second job. On the first start (no cursor yet) the log is replayed from its beginning only when
// asked to (Iris.ProcessExistingSeries); otherwise the cursor starts at the log's end.
class SeriesWatcher
{
public:
  // `onQueued` runs on the watcher's thread for each new job (status, log line, waking workers).
  using QueuedHook = std::function<void(const storage::Job&)>;
  SeriesWatcher(storage::Database& database, std::string modelId, int maxAttempts = 3,
                bool processExistingSeries = false, QueuedHook onQueued = {});
  ~SeriesWatcher();

  // Called from Orthanc's change callback: never blocks beyond a short lock.
  void notifyStableSeries(const std::string& seriesId);

  void start();
  void stop(); // idempotent; joins the thread

private:
  void run();
  void replayChanges();
  int64_t startingCursor();
  // considerSeries for a replayed change: false when it failed and should be tried again at the
  // next replay; after kReplayAttempts failures the series is skipped with an error.
  bool considerReplayedSeries(const std::string& seriesId);
  void considerSeries(const std::string& seriesId);

  storage::Database& database_;
  std::string modelId_;
  int maxAttempts_;
  bool processExistingSeries_;
  QueuedHook onQueued_;
  std::map<std::string, int> replayFailures_; // watcher thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> pending_;
  bool stopping_ = false;
  std::thread thread_;
};
} // namespace iris::plugin
