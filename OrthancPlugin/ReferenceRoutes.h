#pragma once

namespace iris::plugin
{
// GET/POST /iris/tasks/{id}/references and DELETE /iris/tasks/{id}/references/{referenceId}:
// a task's references one by one (an Orthanc series with its SEG, or an uploaded NIfTI image
// and label pair) with the state of their cached embeddings; see docs/admin-api.md.
void registerReferenceRoutes();
} // namespace iris::plugin
