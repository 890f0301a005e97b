#include "OrthancPlugin/AdminRoutes.h"

#include "OrthancPlugin/EmbeddingRoutes.h"
#include "OrthancPlugin/JobRoutes.h"
#include "OrthancPlugin/ModelRoutes.h"
#include "OrthancPlugin/PluginMetrics.h"
#include "OrthancPlugin/PreviewRoutes.h"
#include "OrthancPlugin/ReferenceRoutes.h"
#include "OrthancPlugin/TaskRoutes.h"
#include "OrthancPlugin/TaskTestRoutes.h"

namespace iris::plugin
{
void registerAdminRoutes()
{
  registerTaskRoutes();
  registerReferenceRoutes();
  registerTaskTestRoutes();
  registerPreviewRoutes();
  registerJobRoutes();
  registerModelRoutes();
  registerEmbeddingRoutes();
  registerMetrics();
}
} // namespace iris::plugin
