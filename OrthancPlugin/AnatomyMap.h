#pragma once

#include "OrthancPlugin/SimilarityMap.h"
#include "storage/Database.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::plugin
{
// What the anatomy map compares, in matrix order:
// 1. the checkpoint's memory-bank rows, row 0 first (unless `unnamedRows` is false, which drops
//    rows without a name);
// 2. the imported memory-bank classes of the model, by name;
// 3. one entry per class of every task with cached reference embeddings for the model and
//    preprocessing version, tasks by id, classes in task order, each the element-wise mean of
//    the task's cached reference embeddings (the context-ensemble embedding its jobs use).
// Every class is flattened the same way (EmbeddingBlob::classVector: all stages, deepest first,
// token-major, channels innermost) before the cosine similarity is taken.
struct AnatomyMapInput
{
  std::string modelId;
  std::string memoryBank; // the checkpoint's rows (CheckpointSummary::memoryBank)
  std::vector<std::string> memoryBankNames;
  int preprocessingVersion = 0;
  bool unnamedRows = true;
};

struct AnatomyMap
{
  nlohmann::json classes = nlohmann::json::array(); // {"name", "source", "origin"/"task", ...}
  SimilarityMatrix matrix;
  std::vector<std::string> skipped; // embeddings left out, and why
};

AnatomyMap buildAnatomyMap(storage::Database& database, const AnatomyMapInput& input);

// {"model", "classes", "matrix", "skipped"}; similarities rounded to 6 decimals.
nlohmann::json anatomyMapToJson(const AnatomyMap& map, const std::string& modelId);
} // namespace iris::plugin
