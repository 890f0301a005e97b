#pragma once

#include "OrthancPlugin/RestRouting.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "storage/Database.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::plugin
{
// What the rule tester and the preview share: POST /iris/tasks/{id}/<verb> {"series": id}.

// Bodies are one small object.
constexpr size_t kMaxTaskSeriesBodyBytes = 4 * 1024;

// The body {"series": "<Orthanc series id>", <option>: ...}: 400 for anything else, e.g. a key
// that is neither "series" nor one of `optionKeys`.
struct TaskSeriesBody
{
  std::string series;
  nlohmann::json options = nlohmann::json::object(); // the option keys given
};
TaskSeriesBody taskSeriesBody(const RestRequest& request,
                              const std::vector<std::string>& optionKeys = {});
// The stored task `id` (checked), parsed; 404 when there is none.
TaskDefinition storedTask(storage::Database& database, const std::string& id);
// Orthanc's GET /series/{id}; 404 when Orthanc does not have it.
nlohmann::json orthancSeries(const std::string& seriesId);
} // namespace iris::plugin
