#pragma once

#include "OrthancPlugin/SeriesSelection.h"

#include <nlohmann/json.hpp>

namespace iris::plugin
{
// Orthanc's GET /series/{id} as a selection candidate, its first instance's tags read through
// Orthanc's REST API. Throws OrthancRestError.
SeriesCandidate examineOrthancSeries(const nlohmann::json& series);
} // namespace iris::plugin
