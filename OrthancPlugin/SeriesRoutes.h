#pragma once

namespace iris::plugin
{
// GET /iris/series/{id}/volume: assembles the series as the pipeline would and describes the
// volume (grid, geometry, value range), or says precisely why it cannot be assembled.
void registerSeriesRoutes();
} // namespace iris::plugin
