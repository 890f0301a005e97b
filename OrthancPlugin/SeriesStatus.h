#pragma once

#include <atomic>
#include <string>

namespace iris::plugin
{
// Writes a series' IrisStatus metadata (PUT /series/{id}/metadata/IrisStatus). Orthanc refuses
// names missing from its "UserMetadata", so when that declaration is absent this says so once,
// at start-up, and writes nothing. Never throws: a status is information, not part of the job.
class SeriesStatus
{
public:
  explicit SeriesStatus(bool declared);

  void set(const std::string& seriesId, const std::string& value);

private:
  bool declared_;
  std::atomic<bool> reportedFailure_{false};
};
} // namespace iris::plugin
