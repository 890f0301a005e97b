#pragma once

#include "storage/Database.h"

#include <cstdint>
#include <string>
#include <vector>

namespace iris::storage
{
struct TaskReferenceEmbedding
{
  std::string taskId;
  int64_t referenceId = 0;
  std::string modelKey; // the model id, or "<model id>@<voxel size>" (ModelIdentity.h)
  std::string data;     // TaskEmbedding::serialize bytes, the task's classes in order
};

// Every cached reference embedding of one model (under its id, or its id plus a task's own voxel
// size) and preprocessing version, with its task, ordered by task id then reference id: what the
// anatomy map compares.
std::vector<TaskReferenceEmbedding>
cachedEmbeddingsOfModel(Database& database, const std::string& modelId, int preprocessingVersion);
} // namespace iris::storage
