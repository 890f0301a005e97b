#include "OrthancPlugin/TaskTestRoutes.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/OrthancSeriesCandidate.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/TaskSeriesRequest.h"
#include "storage/JobStore.h"

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

Json describeRules(const dicom::RuleReport& report)
{
  Json rules = Json::array();
  for (const auto& check : report.checks)
  {
    rules.push_back({{"rule", check.rule},
                     {"tag", check.tag},
                     {"expected", check.expected},
                     {"actual", check.actual},
                     {"matched", check.passed},
                     {"reason", check.passed ? Json() : Json(check.reason)}});
  }
  return rules;
}

Json describeSeries(const std::string& seriesId, const Json& series,
                    const SeriesCandidate& candidate)
{
  Json described = {{"id", seriesId},
                    {"stable", series.value("IsStable", true)},
                    {"skipped", candidate.skipReason ? Json(*candidate.skipReason) : Json()}};
  if (!candidate.skipReason)
  {
    const auto& attributes = candidate.attributes;
    described["attributes"] = {
        {"Modality", attributes.modality},
        {"BodyPartExamined", attributes.bodyPartExamined},
        {"SeriesDescription", attributes.seriesDescription},
        {"ProtocolName", attributes.protocolName},
        {"ImageType", attributes.imageType},
        {"slices", attributes.sliceCount},
        {"orientation", attributes.imageOrientation
                            ? Json(dicom::sliceOrientation(*attributes.imageOrientation))
                            : Json()}};
  }
  return described;
}

// The watcher queues one job per (series, task, model): the newest one for the current model.
Json existingJob(storage::Database& database, const std::string& seriesId,
                 const std::string& taskId, const std::string& modelId)
{
  storage::JobFilter filter;
  filter.seriesId = seriesId;
  filter.taskId = taskId;
  filter.limit = 1000;
  for (const auto& job : storage::JobStore(database).list(filter))
  {
    if (job.modelId == modelId)
    {
      return {
          {"id", job.id}, {"state", storage::toString(job.state)}, {"generation", job.generation}};
    }
  }
  return Json();
}

RestAnswer testTask(const RestRequest& request)
{
  const std::string seriesId = taskSeriesBody(request).series;
  auto& database = adminDatabase();
  const auto task = storedTask(database, request.groups.at(0));
  const auto series = orthancSeries(seriesId);
  const auto candidate = examineOrthancSeries(series);
  const auto selection = selectTask(task, candidate);
  const auto job = existingJob(database, seriesId, task.id, pluginState().modelId);
  return RestAnswer::json({{"task", task.id},
                           {"series", describeSeries(seriesId, series, candidate)},
                           {"enabled", task.enabled},
                           {"matches", selection.selected},
                           {"reasons", selection.reasons},
                           {"rules", describeRules(selection.rules)},
                           {"existingJob", job},
                           {"wouldQueue", selection.selected && job.is_null()}});
}
} // namespace

void registerTaskTestRoutes()
{
  // Route fields: regex, get, post, put, remove, body cap.
  registerRoute({"/iris/tasks/([^/]+)/test", {}, testTask, {}, {}, kMaxTaskSeriesBodyBytes});
}
} // namespace iris::plugin
