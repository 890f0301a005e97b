#pragma once

namespace iris::plugin
{
// POST /iris/tasks/{id}/preview {"series": id}: segments the series with the task on an
// inference worker, stores nothing, and answers a PNG montage (or ?format=json volumes); see
// docs/admin-api.md.
void registerPreviewRoutes();
} // namespace iris::plugin
