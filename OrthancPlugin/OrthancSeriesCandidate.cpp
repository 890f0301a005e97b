#include "OrthancPlugin/OrthancSeriesCandidate.h"

#include "OrthancPlugin/OrthancRest.h"

namespace iris::plugin
{
SeriesCandidate examineOrthancSeries(const nlohmann::json& series)
{
  return examineSeries(series, [](const std::string& instanceId)
                       { return restGetJson("/instances/" + instanceId + "/tags?simplify"); });
}
} // namespace iris::plugin
