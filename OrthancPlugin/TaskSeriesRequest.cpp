#include "OrthancPlugin/TaskSeriesRequest.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/OrthancRest.h"
#include "storage/TaskStore.h"

#include <algorithm>

namespace iris::plugin
{
TaskSeriesBody taskSeriesBody(const RestRequest& request,
                              const std::vector<std::string>& optionKeys)
{
  const auto body = jsonBody(request);
  const char* expected = "Expected {\"series\": \"<Orthanc series id>\"}";
  if (!body.is_object())
  {
    throw HttpError(400, std::string(expected) + ", got " + body.dump());
  }
  TaskSeriesBody parsed;
  for (const auto& item : body.items())
  {
    if (std::find(optionKeys.begin(), optionKeys.end(), item.key()) != optionKeys.end())
    {
      parsed.options[item.key()] = item.value();
    }
    else if (item.key() != "series")
    {
      std::string known = "\"series\"";
      for (const auto& key : optionKeys)
      {
        known += ", \"" + key + "\"";
      }
      throw HttpError(400, "Unknown key \"" + item.key() + "\"; expected " + known);
    }
  }
  if (!body.contains("series") || !body["series"].is_string())
  {
    throw HttpError(400, std::string("series: ") + expected +
                             (body.contains("series") ? ", got " + body["series"].dump() : ""));
  }
  parsed.series = checkedOrthancId(body["series"].get<std::string>(), "series");
  return parsed;
}

TaskDefinition storedTask(storage::Database& database, const std::string& id)
{
  const auto stored = storage::TaskStore(database).find(checkedTaskId(id));
  if (!stored)
  {
    throw HttpError(404, "No task \"" + id + "\"");
  }
  return TaskDefinition::parse(nlohmann::json::parse(stored->definitionJson), stored->id);
}

nlohmann::json orthancSeries(const std::string& seriesId)
{
  try
  {
    return restGetJson("/series/" + seriesId);
  }
  catch (const OrthancRestError& error)
  {
    throw error.notFound() ? HttpError(404, "No series " + seriesId + " in Orthanc")
                           : HttpError(502, error.what());
  }
}
} // namespace iris::plugin
