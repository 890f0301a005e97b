#pragma once

#include "OrthancPlugin/TaskDefinition.h"
#include "storage/Database.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::plugin
{
// Upserts the tasks declared in Iris.Tasks with their references (relative NIfTI paths resolve
// against `configurationFolder`). An invalid task is skipped, and a stored configuration task of
// the same id is disabled, so that a broken edit never leaves the previous version running. Each
// problem comes back as a line naming the task's position, its id when known, and the key.
std::vector<std::string> upsertConfiguredTasks(storage::Database& database,
                                               const nlohmann::json& tasks,
                                               const std::filesystem::path& configurationFolder,
                                               int64_t now);
// Makes the stored references of the task exactly its `references` (paths already resolved and
// fingerprinted); unchanged ones keep their cached embeddings. Also used by the admin API.
void storeTaskReferences(storage::Database& database, const TaskDefinition& task, int64_t now);
} // namespace iris::plugin
