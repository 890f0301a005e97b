#pragma once

namespace iris::plugin
{
// GET /iris/models (the configured checkpoint: path, id, network config, spacing, memory-bank
// class names, device) and GET /iris/memory-bank (its named memory-bank rows).
void registerModelRoutes();
} // namespace iris::plugin
