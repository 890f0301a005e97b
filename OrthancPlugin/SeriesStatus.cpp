#include "OrthancPlugin/SeriesStatus.h"

#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/PluginSettings.h"

namespace iris::plugin
{
SeriesStatus::SeriesStatus(bool declared) : declared_(declared)
{
  if (!declared_)
  {
    logWarning(std::string("UserMetadata \"") + kStatusMetadata +
               "\" is not declared in the Orthanc configuration (add \"UserMetadata\": {\"" +
               kStatusMetadata + "\": 1024}); series get no Iris status metadata");
  }
}

void SeriesStatus::set(const std::string& seriesId, const std::string& value)
{
  if (!declared_)
  {
    return;
  }
  try
  {
    restPut("/series/" + seriesId + "/metadata/" + kStatusMetadata, value);
  }
  catch (const std::exception& error)
  {
    // A deleted series has no metadata to set; anything else is worth one line, not a flood.
    if (!reportedFailure_.exchange(true))
    {
      logWarning("cannot set the IrisStatus of series " + seriesId + ": " + error.what() +
                 " (further failures are not reported)");
    }
  }
}
} // namespace iris::plugin
