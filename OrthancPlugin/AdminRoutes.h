#pragma once

namespace iris::plugin
{
// The admin REST API under /iris/ (tasks, jobs, manual runs, models) and the Prometheus metrics;
// see docs/admin-api.md. Called once from OrthancPluginInitialize.
void registerAdminRoutes();
} // namespace iris::plugin
