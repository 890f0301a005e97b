#include "OrthancPlugin/PreviewRoutes.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/OrthancSeriesLoader.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/SeriesSelection.h"
#include "OrthancPlugin/TaskRequest.h"
#include "OrthancPlugin/TaskSeriesRequest.h"
#include "dicom/JsonInteger.h"
#include "dicom/Montage.h"

#include <chrono>
#include <filesystem>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

constexpr int64_t kDefaultTimeoutSeconds = 120;
constexpr int64_t kMaxTimeoutSeconds = 600;

// The model of the worker could not be loaded: the preview cannot run at all (503).
class ModelUnavailable : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// What a worker needs and leaves; shared, so that a preview the caller gave up on can finish.
struct Preview
{
  TaskDefinition task;
  dicom::SeriesVolume series;
  inference::SegmentResult result;
  double seconds = 0.0;
};

struct PreviewOptions
{
  bool json = false;
  dicom::MontageOptions montage;
  std::chrono::seconds timeout{kDefaultTimeoutSeconds};
};

const std::vector<std::string> kOptionKeys = {"format", "slices", "columns", "timeout", "strategy"};

// Orthanc hands plugins the query string of GET requests only, so a POST takes its options in
// the body.
int64_t integerOption(const Json& options, const std::string& key, int64_t minimum, int64_t maximum,
                      int64_t fallback)
{
  if (!options.contains(key))
  {
    return fallback;
  }
  const Json& value = options[key];
  if (!dicom::isIntegerBetween(value, minimum, maximum))
  {
    throw HttpError(400, key + ": expected an integer from " + std::to_string(minimum) + " to " +
                             std::to_string(maximum) + ", got " + value.dump());
  }
  return value.get<int64_t>();
}

PreviewOptions previewOptions(const Json& options)
{
  PreviewOptions parsed;
  const Json format = options.value("format", Json("png"));
  if (format != "png" && format != "json")
  {
    throw HttpError(400, "format: expected \"png\" or \"json\", got " + format.dump());
  }
  parsed.json = format == "json";
  auto& montage = parsed.montage;
  montage.slices = static_cast<size_t>(
      integerOption(options, "slices", 1, 64, static_cast<int64_t>(montage.slices)));
  montage.columns = static_cast<size_t>(
      integerOption(options, "columns", 1, 16, static_cast<int64_t>(montage.columns)));
  parsed.timeout = std::chrono::seconds(
      integerOption(options, "timeout", 1, kMaxTimeoutSeconds, kDefaultTimeoutSeconds));
  return parsed;
}

dicom::SeriesVolume loadSeries(const std::string& seriesId)
{
  if (const auto reason = reasonToSkip(orthancSeries(seriesId)))
  {
    throw HttpError(422, "Series " + seriesId + " cannot be segmented: " + *reason);
  }
  dicom::SeriesReadOptions options;
  options.cap.voxels = pluginState().settings.maxVolumeVoxels; // as for jobs
  return loadRequestedSeries(seriesId, options).series;
}

// Runs on inference worker `worker`, with the model and the reference embeddings jobs use.
void segment(Preview& preview, size_t worker)
{
  PluginState& state = pluginState();
  const auto start = std::chrono::steady_clock::now();
  inference::Segmenter* model = nullptr;
  try
  {
    model = &state.runner->segmenter(worker);
  }
  catch (const std::exception& error)
  {
    throw ModelUnavailable(error.what());
  }
  const auto built = buildTaskRequest(preview.task, *state.database, *model, state.modelId);
  preview.result = model->segment(preview.series.image, preview.series.modality, built.request);
  preview.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Waits for a worker to run the preview; 503 when too many wait, 504 after the timeout.
void runOnWorker(const std::shared_ptr<Preview>& preview, std::chrono::seconds timeout)
{
  PluginState& state = pluginState();
  std::shared_ptr<PreviewQueue::Ticket> ticket;
  try
  {
    ticket = state.previews->submit([preview](size_t worker) { segment(*preview, worker); });
  }
  catch (const PreviewQueue::Full& error)
  {
    throw HttpError(503, "The inference workers are busy with previews: " +
                             std::string(error.what()) + "; try again later");
  }
  state.workers->wake();
  bool finished = false;
  try
  {
    finished = ticket->wait(timeout);
  }
  catch (const ModelUnavailable& error)
  {
    throw HttpError(503, "The model cannot be loaded: " + std::string(error.what()));
  }
  catch (const std::exception& error)
  {
    throw HttpError(422,
                    "Task \"" + preview->task.id + "\" cannot segment the series: " + error.what());
  }
  if (!finished)
  {
    throw HttpError(504, "The preview did not finish within " + std::to_string(timeout.count()) +
                             " s (the workers run queued jobs first when they are busy with "
                             "one, and large series take long); try again or raise ?timeout=");
  }
}

Json volumes(const Preview& preview)
{
  const auto& geometry = preview.result.labels.geometry;
  const double voxelMl = geometry.spacing[0] * geometry.spacing[1] * geometry.spacing[2] / 1000.0;
  std::vector<int64_t> counts(preview.task.classes.size() + 1, 0);
  for (const uint16_t label : preview.result.labels.voxels)
  {
    if (label < counts.size())
    {
      ++counts[label];
    }
  }
  Json classes = Json::array();
  for (size_t k = 0; k < preview.task.classes.size(); ++k)
  {
    classes.push_back({{"segment", k + 1},
                       {"name", preview.task.classes[k].name},
                       {"voxels", counts[k + 1]},
                       {"volumeMl", static_cast<double>(counts[k + 1]) * voxelMl}});
  }
  Json timings = Json::object();
  for (const auto& stage : preview.result.timings)
  {
    timings[stage.stage] = stage.seconds;
  }
  return {{"task", preview.task.id},
          {"strategy", preview.task.strategy},
          {"size", geometry.size},
          {"spacing", geometry.spacing},
          {"voxelVolumeMl", voxelMl},
          {"classes", classes},
          {"seconds", preview.seconds},
          {"stages", timings},
          {"warnings", preview.result.warnings}};
}

RestAnswer png(const Preview& preview, dicom::MontageOptions options)
{
  for (size_t k = 0; k < preview.task.classes.size(); ++k)
  {
    if (const auto& colour = preview.task.classes[k].colour)
    {
      options.colours[static_cast<uint16_t>(k + 1)] = *colour;
    }
  }
  RestAnswer answer;
  answer.contentType = "image/png";
  answer.body =
      dicom::encodePng(dicom::renderMontage(preview.series.image, &preview.result.labels, options));
  return answer;
}

RestAnswer previewTask(const RestRequest& request)
{
  const auto body = taskSeriesBody(request, kOptionKeys);
  const auto options = previewOptions(body.options);
  const std::string& seriesId = body.series;
  auto preview = std::make_shared<Preview>();
  preview->task = storedTask(adminDatabase(), request.groups.at(0));
  if (body.options.contains("strategy"))
  {
    preview->task = withRunStrategy(preview->task, checkedStrategy(body.options["strategy"]));
  }
  PluginState& state = pluginState();
  std::error_code ec;
  if (!state.runner || !std::filesystem::is_regular_file(state.settings.modelPath, ec))
  {
    throw HttpError(503, "No model: Iris.ModelPath " + state.settings.modelPath.string() +
                             " is not a readable file");
  }
  preview->series = loadSeries(seriesId);
  preview->series.slices.clear(); // only the voxels are needed from here on
  runOnWorker(preview, options.timeout);
  return options.json ? RestAnswer::json(volumes(*preview)) : png(*preview, options.montage);
}
} // namespace

void registerPreviewRoutes()
{
  // Route fields: regex, get, post, put, remove, body cap.
  registerRoute({"/iris/tasks/([^/]+)/preview", {}, previewTask, {}, {}, kMaxTaskSeriesBodyBytes});
}
} // namespace iris::plugin
