#pragma once

#include "storage/Database.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::plugin
{
// Upserts the tasks declared in Iris.Tasks. An invalid one is skipped; each problem comes back as
// a line naming the task's position and the offending key.
std::vector<std::string> upsertConfiguredTasks(storage::Database& database,
                                               const nlohmann::json& tasks, int64_t now);
} // namespace iris::plugin
