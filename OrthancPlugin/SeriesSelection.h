#pragma once

#include "OrthancPlugin/TaskDefinition.h"
#include "dicom/MatchRules.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace iris::plugin
{
// Why a series is never a segmentation candidate, or nothing when it may be one. Non-image
// objects (SEG, SR, PR, KO, RT*, REG, ...) are skipped, which includes every SEG we write.
std::optional<std::string> reasonToSkip(const nlohmann::json& series);

// The attributes match rules look at, from Orthanc's GET /series/{id} and the simplified tags
// (GET /instances/{id}/tags?simplify) of one of its instances.
dicom::SeriesAttributes seriesAttributes(const nlohmann::json& series,
                                         const nlohmann::json& instanceTags);

// A series as the selection sees it: why it is never a candidate, else what the rules read.
struct SeriesCandidate
{
  std::optional<std::string> skipReason; // reasonToSkip's
  dicom::SeriesAttributes attributes;    // read only when the series is not skipped
};

// The simplified tags of one instance (GET /instances/{id}/tags?simplify in the plugin).
using InstanceTagsReader = std::function<nlohmann::json(const std::string& instanceId)>;

// `series` is Orthanc's GET /series/{id}; the tags of its first instance are read only when
// the series is a candidate.
SeriesCandidate examineSeries(const nlohmann::json& series, const InstanceTagsReader& readTags);

// Whether a job for `task` is queued for the series, and why not. The watcher, the manual run
// and the rule tester all decide with this one function, so the tester's explanation is the
// decision itself.
struct TaskSelection
{
  bool selected = false;
  std::vector<std::string> reasons; // empty when selected
  dicom::RuleReport rules;          // not evaluated (no checks) when the series is skipped
};
TaskSelection selectTask(const TaskDefinition& task, const SeriesCandidate& series);
} // namespace iris::plugin
