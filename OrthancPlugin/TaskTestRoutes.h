#pragma once

namespace iris::plugin
{
// POST /iris/tasks/{id}/test {"series": id}: whether the watcher would run the task on the
// series, rule by rule, decided by the watcher's own selectTask; see docs/admin-api.md.
void registerTaskTestRoutes();
} // namespace iris::plugin
