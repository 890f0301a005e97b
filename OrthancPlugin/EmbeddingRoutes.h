#pragma once

namespace iris::plugin
{
// The anatomy map and the memory-bank exchange (docs/admin-api.md):
// GET /iris/embeddings/similarity (JSON, or a PNG heat map), GET /iris/memory-bank/export,
// POST /iris/memory-bank/import and DELETE /iris/memory-bank/imported/{name}.
void registerEmbeddingRoutes();
} // namespace iris::plugin
