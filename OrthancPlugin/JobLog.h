#pragma once

#include "storage/Job.h"

#include <string>

namespace iris::plugin
{
// One log line per job transition, as key=value pairs in a fixed order so that logs can be
// grepped and parsed: job, series, task, state, attempt, seconds, reason (quoted, only when
// there is one). `state` is the job's new state or a transient one ("deferred", "abandoned").
std::string jobTransitionLine(const storage::Job& job, const std::string& state, double seconds,
                              const std::string& reason = {});

// The compact value of a series' IrisStatus metadata: "queued", "running",
// "done: <SEG series id>", "retrying: <reason>", "failed: <reason>" (reasons cut to 200 chars).
std::string seriesStatusValue(const std::string& state, const std::string& detail = {});
} // namespace iris::plugin
