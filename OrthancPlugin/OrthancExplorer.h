#pragma once

namespace iris::plugin
{
// The JavaScript that adds "Segment with Iris" and "Iris jobs of this series" to Orthanc
// Explorer's series page (OrthancExplorer.js, embedded at build time).
const char* orthancExplorerExtension();
} // namespace iris::plugin
