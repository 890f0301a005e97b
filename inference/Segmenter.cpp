#include "inference/Segmenter.h"

#include "inference/ComputeDevice.h"
#include "inference/IrisModel.h"
#include "inference/Preprocess.h"
#include "inference/Strategies.h"

#include <chrono>
#include <map>
#include <stdexcept>

namespace iris::inference
{
namespace
{
const std::map<std::string, Strategy>& strategyNames()
{
  static const std::map<std::string, Strategy> names{{"one-shot", Strategy::OneShot},
                                                     {"ensemble", Strategy::Ensemble},
                                                     {"retrieval", Strategy::Retrieval},
                                                     {"tuning", Strategy::Tuning},
                                                     {"memory-bank", Strategy::MemoryBank}};
  return names;
}

class StageClock
{
public:
  explicit StageClock(std::vector<StageTiming>& timings) : timings_(timings) {}
  void done(const std::string& stage)
  {
    const auto now = std::chrono::steady_clock::now();
    timings_.push_back({stage, std::chrono::duration<double>(now - start_).count()});
    start_ = now;
  }

private:
  std::vector<StageTiming>& timings_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};
} // namespace

Strategy parseStrategy(const std::string& name)
{
  const auto found = strategyNames().find(name);
  if (found == strategyNames().end())
  {
    throw SegmentationError("Unknown strategy \"" + name +
                            "\": expected one-shot, ensemble, retrieval, tuning or memory-bank");
  }
  return found->second;
}

std::string strategyName(Strategy strategy)
{
  for (const auto& [name, value] : strategyNames())
  {
    if (value == strategy)
    {
      return name;
    }
  }
  return "?";
}

class Segmenter::Impl
{
public:
  explicit Impl(const SegmenterOptions& options)
      : options(options), compute(selectComputeDevice(options.device, options.threads)),
        model(IrisModel::load(options.model))
  {
    if (compute.selected == "cuda")
    {
      if (options.gpuIndex < 0 || options.gpuIndex >= compute.gpuCount)
      {
        throw std::invalid_argument("CUDA device " + std::to_string(options.gpuIndex) +
                                    " requested, but " + std::to_string(compute.gpuCount) +
                                    " are visible");
      }
      // Every tensor of a job follows the model's device, so one index places the whole job.
      model.to(torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(options.gpuIndex)));
    }
    preprocess.spacingMm = options.spacingMm.value_or(model.spacingMm());
    preprocess.bodyCrop = options.bodyCrop;
    const int64_t patch = model.config().patchSize;
    preprocess.patch = {patch, patch, patch};
  }

  PreprocessOptions preprocessAt(std::optional<double> spacingMm) const
  {
    auto options = preprocess;
    if (spacingMm)
    {
      if (!(*spacingMm > 0.0) || *spacingMm > 20.0)
      {
        throw SegmentationError("A voxel size of " + std::to_string(*spacingMm) +
                                " mm was asked for; expected more than 0 and at most 20 mm");
      }
      options.spacingMm = *spacingMm;
    }
    return options;
  }

  std::vector<PreparedReference> prepare(const ReferenceExample& reference,
                                         const PreprocessOptions& at,
                                         std::vector<std::string>& warnings) const
  {
    if (!reference.image || !reference.labels)
    {
      throw SegmentationError("A reference needs both an image and a label volume");
    }
    auto crops = prepareReference(*reference.image, *reference.labels, reference.classValues,
                                  reference.modality, at);
    if (!crops.empty() && crops.front().nonFiniteVoxels > 0)
    {
      warnings.push_back(std::to_string(crops.front().nonFiniteVoxels) +
                         " NaN/inf voxels of a reference image replaced by its lowest value");
    }
    return crops;
  }

  TaskEmbedding encode(const std::vector<PreparedReference>& crops, size_t classCount) const
  {
    c10::InferenceMode inference;
    return encodeCrops(model, crops, classCount).to(torch::kCPU);
  }

  SegmenterOptions options;
  ComputeDevice compute;
  IrisModel model;
  PreprocessOptions preprocess;
};

Segmenter::Segmenter(const SegmenterOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Segmenter::~Segmenter() = default;

std::string Segmenter::device() const
{
  return impl_->compute.selected;
}
std::string Segmenter::deviceNote() const
{
  return impl_->compute.detail;
}
int Segmenter::patchSize() const
{
  return impl_->model.config().patchSize;
}
int64_t Segmenter::memoryBankSize() const
{
  return impl_->model.memoryBankSize();
}

std::vector<std::string> Segmenter::memoryBankClasses() const
{
  return impl_->model.memoryBankClasses();
}

int64_t Segmenter::memoryBankRow(const std::string& nameOrRow) const
{
  const auto& model = impl_->model;
  if (const auto row = model.memoryBankRow(nameOrRow); row >= 0)
  {
    return row;
  }
  const bool digits =
      !nameOrRow.empty() && nameOrRow.find_first_not_of("0123456789") == std::string::npos;
  if (digits && nameOrRow.size() < 10)
  {
    const auto row = std::stoll(nameOrRow);
    if (row < model.memoryBankSize())
    {
      return row;
    }
  }
  std::string known;
  for (const auto& name : model.memoryBankClasses())
  {
    if (!name.empty())
    {
      known += (known.empty() ? "" : ", ") + name;
    }
  }
  throw SegmentationError("Memory-bank class \"" + nameOrRow + "\" is neither a row 0.." +
                          std::to_string(model.memoryBankSize() - 1) +
                          " nor a class name of this checkpoint (" +
                          (known.empty() ? std::string("it names no class") : known) + ")");
}

std::string Segmenter::memoryBankEmbeddings(const std::vector<int64_t>& rows) const
{
  return impl_->model.memoryBank(rows).to(torch::kCPU).serialize();
}

double Segmenter::spacingMm() const
{
  return impl_->preprocess.spacingMm;
}

std::string Segmenter::encodeReference(const ReferenceExample& reference, double* seconds,
                                       std::optional<double> spacingMm)
{
  std::vector<StageTiming> timings;
  StageClock clock(timings);
  std::vector<std::string> warnings;
  const auto crops = impl_->prepare(reference, impl_->preprocessAt(spacingMm), warnings);
  const auto bytes = impl_->encode(crops, reference.classValues.size()).serialize();
  clock.done("encode reference");
  if (seconds)
  {
    *seconds = timings.back().seconds;
  }
  return bytes;
}

SegmentResult Segmenter::segment(const dicom::ImageVolume& query, const std::string& modality,
                                 const SegmentRequest& request)
{
  auto& impl = *impl_;
  SegmentResult result;
  StageClock clock(result.timings);

  const auto preprocess = impl.preprocessAt(request.spacingMm);
  const auto prepared = prepareQuery(query, modality, preprocess);
  if (prepared.nonFiniteVoxels > 0)
  {
    result.warnings.push_back(std::to_string(prepared.nonFiniteVoxels) +
                              " NaN/inf voxels of the query replaced by its lowest value");
  }
  clock.done("preprocess query");

  const bool bank = request.strategy == Strategy::MemoryBank;
  size_t classCount = bank                          ? request.memoryBankRows.size()
                      : !request.references.empty() ? request.references.front().classValues.size()
                                                    : 0;
  std::vector<TaskEmbedding> pool;
  std::vector<std::vector<PreparedReference>> labelled;
  if (!bank)
  {
    for (const auto& reference : request.references)
    {
      if (reference.classValues.size() != classCount)
      {
        throw SegmentationError("Every reference must give the same number of classes (" +
                                std::to_string(classCount) + "), one gives " +
                                std::to_string(reference.classValues.size()));
      }
      labelled.push_back(impl.prepare(reference, preprocess, result.warnings));
      pool.push_back(impl.encode(labelled.back(), classCount));
    }
    for (const auto& bytes : request.embeddings)
    {
      auto embedding = TaskEmbedding::deserialize(bytes);
      if (classCount == 0)
      {
        classCount = static_cast<size_t>(embedding.classCount());
      }
      if (embedding.classCount() != static_cast<int64_t>(classCount))
      {
        throw SegmentationError("A cached embedding holds " +
                                std::to_string(embedding.classCount()) + " classes, expected " +
                                std::to_string(classCount));
      }
      pool.push_back(std::move(embedding));
    }
    if (pool.empty())
    {
      throw SegmentationError("Strategy " + strategyName(request.strategy) +
                              " needs at least one reference or cached embedding");
    }
    clock.done("encode references");
  }
  if (classCount == 0)
  {
    throw SegmentationError("No class to segment");
  }

  TaskEmbedding embedding;
  switch (request.strategy)
  {
  case Strategy::MemoryBank:
  {
    embedding = impl.model.memoryBank(request.memoryBankRows).to(torch::kCPU);
    break;
  }
  case Strategy::OneShot:
    embedding = pool.front();
    break;
  case Strategy::Ensemble:
    embedding = ensembleEmbedding(pool);
    break;
  case Strategy::Retrieval:
  {
    c10::InferenceMode inference;
    const auto initial = predictQuery(impl.model, prepared, pool.front());
    clock.done("initial segmentation");
    embedding = objectLevelRetrieval(impl.model, prepared, initial, pool,
                                     impl.options.retrievalTopK, impl.options.threshold)
                    .embedding;
    clock.done("retrieval");
    break;
  }
  case Strategy::Tuning:
  {
    if (labelled.empty())
    {
      throw SegmentationError("In-context tuning needs labelled reference images");
    }
    TuningOptions tuning;
    tuning.steps = impl.options.tuningSteps;
    tuning.learningRate = impl.options.tuningLearningRate;
    embedding = tuneEmbedding(impl.model, ensembleEmbedding(pool), labelled, tuning)
                    .embedding.to(torch::kCPU);
    clock.done("tuning");
    break;
  }
  }

  torch::Tensor probabilities;
  {
    c10::InferenceMode inference;
    probabilities = predictQuery(impl.model, prepared, embedding);
  }
  clock.done("decode query");
  result.labels = restoreLabels(probabilities, prepared.grid, impl.options.threshold,
                                impl.options.largestComponent);
  clock.done("restore to source grid");
  result.embeddings = embedding.serialize();
  return result;
}
} // namespace iris::inference
