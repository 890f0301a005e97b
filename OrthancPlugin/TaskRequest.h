#pragma once

#include "OrthancPlugin/TaskDefinition.h"
#include "dicom/SegmentDescription.h"
#include "dicom/Volume.h"
#include "inference/Segmenter.h"
#include "storage/Database.h"

#include <memory>
#include <string>
#include <vector>

namespace iris::plugin
{
// Bumped whenever the inference preprocessing changes what encodeReference returns, so cached
// reference embeddings of the old preprocessing are never used again.
constexpr int kReferencePreprocessingVersion = 1;

// A SegmentRequest for a task, with the volumes its references point at.
struct TaskRequest
{
  inference::SegmentRequest request;
  std::vector<std::unique_ptr<dicom::ImageVolume>> images;
  std::vector<std::unique_ptr<dicom::LabelVolume>> labels;
  int cachedEmbeddings = 0;  // reference embeddings taken from the cache
  int encodedReferences = 0; // computed now (and stored for the next job)
};

// Builds the request for `task` with `segmenter`'s model (`modelId`):
// - memory bank (TaskDefinition::usesMemoryBank): one row per class, by name or row number, or
//   an imported class (MemoryBankStore) by name;
// - tuning: every reference loaded (the strategy needs the labelled images);
// - otherwise: each reference's embedding from reference_embeddings, or encoded now and stored.
// Throws std::runtime_error subclasses naming the task, the reference and what is wrong.
TaskRequest buildTaskRequest(const TaskDefinition& task, storage::Database& database,
                             inference::Segmenter& segmenter, const std::string& modelId);

// One segment per task class (segment k+1 = class k): the class name, the task's category, type
// and colour where given, else describeSegmentByName's; algorithm "Iris", version the model id.
std::vector<dicom::SegmentDescription> segmentDescriptions(const TaskDefinition& task,
                                                           const std::string& modelId);

// The memory-bank row of `nameOrRow` ("<dataset>:<label>" or a row number); -1 when the checkpoint
// names no row so (it may be an imported class); throws for a row number out of range.
int64_t memoryBankRow(const inference::Segmenter& segmenter, const std::string& nameOrRow);
} // namespace iris::plugin
