#pragma once

namespace iris::plugin
{
// GET /iris/health: plugin version, database state, model state, device.
void registerHealthRoute();
} // namespace iris::plugin
