#pragma once

namespace iris::plugin
{
// Prometheus metrics through Orthanc (/tools/metrics-prometheus): jobs by state, queue depth, SEGs
// written, the seconds of the newest job. Read from the database whenever Orthanc refreshes its
// metrics, so they follow every transition without hooks in the pipeline.
void registerMetrics();
} // namespace iris::plugin
