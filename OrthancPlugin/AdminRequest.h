#pragma once

#include "OrthancPlugin/RestRouting.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "storage/Database.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace iris::plugin
{
// Input checks shared by the admin routes. Each failure is an HttpError whose message names the
// input and what was expected, so that a client can fix the request from the answer alone.

// The body as JSON (400 when it is empty or not JSON).
nlohmann::json jsonBody(const RestRequest& request);
// 400 unless `id` is a valid task id (TaskDefinition.h).
const std::string& checkedTaskId(const std::string& id);
// 400 unless `id` is an Orthanc resource id.
const std::string& checkedOrthancId(const std::string& id, const std::string& what);
// A decimal integer from a URL, within [minimum, maximum]; 400 otherwise.
int64_t integerParameter(const std::string& text, const std::string& name, int64_t minimum,
                         int64_t maximum);
// The query parameter when present and not empty.
std::optional<std::string> queryParameter(const RestRequest& request, const std::string& name);

// A run's "strategy" value: one of the strategy names (400 otherwise).
std::string checkedStrategy(const nlohmann::json& value);
// `task` as a run with `strategy` sees it; 400 naming the task when it cannot take it.
TaskDefinition withRunStrategy(const TaskDefinition& task, const std::string& strategy);

// The plugin's database, or 503 with the reason it could not be opened.
storage::Database& adminDatabase();
} // namespace iris::plugin
