#pragma once

#include "dicom/MatchRules.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace iris::plugin
{
// Why a series is never a segmentation candidate, or nothing when it may be one. Non-image
// objects (SEG, SR, PR, KO, RT*, REG, ...) are skipped, which includes every SEG we write.
std::optional<std::string> reasonToSkip(const nlohmann::json& series);

// The attributes match rules look at, from Orthanc's GET /series/{id} and the simplified tags
// (GET /instances/{id}/tags?simplify) of one of its instances.
dicom::SeriesAttributes seriesAttributes(const nlohmann::json& series,
                                         const nlohmann::json& instanceTags);
} // namespace iris::plugin
