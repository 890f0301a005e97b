#include "OrthancPlugin/AdminRoutes.h"

#include "OrthancPlugin/JobRoutes.h"
#include "OrthancPlugin/ModelRoutes.h"
#include "OrthancPlugin/PluginMetrics.h"
#include "OrthancPlugin/ReferenceRoutes.h"
#include "OrthancPlugin/TaskRoutes.h"

namespace iris::plugin
{
void registerAdminRoutes()
{
  registerTaskRoutes();
  registerReferenceRoutes();
  registerJobRoutes();
  registerModelRoutes();
  registerMetrics();
}
} // namespace iris::plugin
