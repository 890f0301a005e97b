#include "OrthancPlugin/CheckpointSummaryCache.h"

#include <mutex>

namespace iris::plugin
{
namespace
{
namespace fs = std::filesystem;

struct Cache
{
  std::mutex mutex;
  std::shared_ptr<const inference::CheckpointSummary> summary;
  fs::path path;
  uintmax_t size = 0;
  fs::file_time_type written;
};
} // namespace

std::shared_ptr<const inference::CheckpointSummary> cachedCheckpointSummary(const fs::path& path,
                                                                            std::string& error)
{
  static Cache cache;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec)
  {
    error = "cannot read " + path.string() + ": " + ec.message();
    return nullptr;
  }
  const auto written = fs::last_write_time(path, ec);
  std::lock_guard<std::mutex> lock(cache.mutex);
  if (!cache.summary || path != cache.path || size != cache.size || written != cache.written)
  {
    try
    {
      cache.summary = std::make_shared<const inference::CheckpointSummary>(
          inference::readCheckpointSummary(path));
      cache.path = path;
      cache.size = size;
      cache.written = written;
    }
    catch (const std::exception& failure)
    {
      cache.summary.reset();
      error = failure.what();
      return nullptr;
    }
  }
  return cache.summary;
}
} // namespace iris::plugin
