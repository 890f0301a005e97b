#pragma once

#include "OrthancPlugin/TaskDefinition.h"

#include <string>

namespace iris::plugin
{
// The checks of a reference that a REST client gives (PUT/POST /iris/tasks and
// POST /iris/tasks/{id}/references share them), before it is stored:
// - Orthanc: well-formed ids of an existing series and instance; the instance is a SEG whose
//   ReferencedSeriesSequence names that series, and it has every mapped segment number;
// - NIfTI: both files inside the configuration folder or the plugin's uploads folder (after
//   resolving ".." and symbolic links), readable as NIfTI, the labels on the image's grid, and
//   every mapped label value present in the labels.
// Relative paths are resolved against the configuration folder and the files fingerprinted.
// Throws HttpError (400) whose message starts with `where`.
void prepareRestReference(TaskReference& reference, const std::string& where);

// prepareRestReference for every reference of the task ("task.references[i]").
void prepareRestReferences(TaskDefinition& task);
} // namespace iris::plugin
