#pragma once

namespace iris::plugin
{
// GET /iris/jobs, GET /iris/jobs/{id}, POST /iris/jobs/{id}/retry and /cancel, and the manual run
// POST /iris/series/{id}/segment; see docs/admin-api.md.
void registerJobRoutes();
} // namespace iris::plugin
