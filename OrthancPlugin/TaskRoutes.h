#pragma once

namespace iris::plugin
{
// GET/POST /iris/tasks and GET/PUT/DELETE /iris/tasks/{id}: tasks as documented in
// config/task.schema.json, validated by TaskDefinition::parse; see docs/admin-api.md.
void registerTaskRoutes();
} // namespace iris::plugin
