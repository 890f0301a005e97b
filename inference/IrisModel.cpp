#include "inference/IrisModel.h"

#include "inference/IrisNetwork.h"

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <mutex>
#include <optional>
#include <sstream>

namespace iris::inference
{
namespace
{
std::string shapeText(const torch::Tensor& tensor)
{
  std::ostringstream text;
  text << tensor.sizes();
  return text.str();
}

void requireFinite(const torch::Tensor& tensor, const char* what)
{
  if (!torch::isfinite(tensor).all().item<bool>())
  {
    throw InvalidNetworkInput(std::string(what) + " contains NaN or infinite values");
  }
}

// OpenBLAS (pthread flavour) starts its own threads inside ATen's: 3× slower on 2 cores.
// Pin it to one thread once; harmless when another BLAS is loaded.
void pinBlasThreads()
{
  static std::once_flag once;
  std::call_once(once,
                 []
                 {
                   using SetThreads = void (*)(int);
                   if (auto set = reinterpret_cast<SetThreads>(
                           dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
                   {
                     set(1);
                   }
                 });
}

bool anyRequiresGrad(const TaskEmbedding& embeddings)
{
  for (const auto& stage : embeddings.stages)
  {
    if (stage.requires_grad())
    {
      return true;
    }
  }
  return false;
}
} // namespace

IrisModel::IrisModel(const IrisConfig& config)
    : config_(config), network_(std::make_shared<IrisNetworkImpl>(config)),
      memoryBankClasses_(static_cast<size_t>(std::max(config.tn, 0)))
{
  pinBlasThreads();
  network_->eval();
  for (auto& parameter : network_->parameters())
  {
    parameter.set_requires_grad(false);
  }
}

IrisModel::~IrisModel() = default;
IrisModel::IrisModel(IrisModel&&) noexcept = default;
IrisModel& IrisModel::operator=(IrisModel&&) noexcept = default;

void IrisModel::to(const torch::Device& device)
{
  // Module::to swaps tensor data in place, so the buffer handles in taskPriors stay valid.
  network_->to(device);
}

torch::Device IrisModel::device() const
{
  return network_->taskPriors.front().device();
}

IrisNetworkImpl& IrisModel::network() const
{
  return *network_;
}

std::vector<std::pair<std::string, torch::Tensor>> IrisModel::namedTensors() const
{
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& item : network_->named_buffers())
  {
    named.emplace_back(item.key(), item.value());
  }
  for (const auto& item : network_->named_parameters())
  {
    named.emplace_back(item.key(), item.value());
  }
  return named;
}

torch::Tensor IrisModel::prepareVolume(const torch::Tensor& volume, int64_t channels,
                                       const char* what) const
{
  if (!volume.defined() || volume.dim() != 5)
  {
    throw InvalidNetworkInput(std::string(what) + " must be a 5-D [B,C,D,H,W] tensor, got " +
                              (volume.defined() ? shapeText(volume) : "nothing"));
  }
  if (channels > 0 && volume.size(1) != channels)
  {
    throw InvalidNetworkInput(std::string(what) + " must have " + std::to_string(channels) +
                              " channel(s), got " + shapeText(volume));
  }
  if (volume.size(0) < 1 || volume.size(1) < 1)
  {
    throw InvalidNetworkInput(std::string(what) + " is empty: " + shapeText(volume));
  }
  const int64_t multiple = config_.sizeMultiple();
  for (int64_t axis = 2; axis < 5; ++axis)
  {
    const auto size = volume.size(axis);
    if (size < multiple || size % multiple != 0 || size > config_.patchSize)
    {
      throw InvalidNetworkInput(std::string(what) + " " + shapeText(volume) +
                                ": every spatial size must be a multiple of " +
                                std::to_string(multiple) + " and at most the patch size " +
                                std::to_string(config_.patchSize));
    }
  }
  auto prepared = volume.to(device(), torch::kFloat32);
  requireFinite(prepared, what);
  return prepared;
}

std::vector<torch::Tensor> IrisModel::encodeFeatures(const torch::Tensor& image) const
{
  torch::NoGradGuard noGrad;
  return network_->encodeFeatures(prepareVolume(image, config_.inChannels, "image"));
}

TaskEmbedding IrisModel::encode(const torch::Tensor& image, const torch::Tensor& masks) const
{
  auto features = encodeFeatures(image);
  return encodeFromFeatures(features, masks);
}

TaskEmbedding IrisModel::encodeFromFeatures(const std::vector<torch::Tensor>& features,
                                            const torch::Tensor& masks) const
{
  torch::NoGradGuard noGrad;
  auto preparedMasks = prepareVolume(masks, 0, "masks");
  if (features.size() < static_cast<size_t>(config_.numPriorStage) ||
      features[0].size(0) != preparedMasks.size(0))
  {
    throw InvalidNetworkInput("masks " + shapeText(masks) + " do not match the " +
                              std::to_string(features.size()) + " reference feature levels");
  }
  const auto fullSize = features.back().sizes().slice(2);
  if (features.size() == 5 && !fullSize.equals(preparedMasks.sizes().slice(2)))
  {
    throw InvalidNetworkInput("masks " + shapeText(masks) +
                              " must have the reference image's spatial size " +
                              shapeText(features.back()));
  }
  return TaskEmbedding{network_->encodePriors(features, preparedMasks)};
}

DecodeOutput IrisModel::decode(const torch::Tensor& query, const TaskEmbedding& embeddings) const
{
  embeddings.validate();
  if (embeddings.stages.size() != static_cast<size_t>(config_.numPriorStage) ||
      embeddings.tokensPerClass() != config_.tokensPerClass())
  {
    throw InvalidNetworkInput("task embeddings have " + std::to_string(embeddings.stages.size()) +
                              " stages of " + std::to_string(embeddings.tokensPerClass()) +
                              " tokens; this model needs " + std::to_string(config_.numPriorStage) +
                              " of " + std::to_string(config_.tokensPerClass()));
  }
  const bool tuning = anyRequiresGrad(embeddings) && torch::GradMode::is_enabled();
  std::vector<torch::Tensor> features;
  {
    torch::NoGradGuard noGrad;
    features = network_->encodeFeatures(prepareVolume(query, config_.inChannels, "query"));
  }
  const auto batch = features[0].size(0);
  std::vector<torch::Tensor> priors;
  for (int stage = 0; stage < config_.numPriorStage; ++stage)
  {
    auto prior = embeddings.stages[stage].to(device());
    if (prior.size(3) != config_.priorChannels(stage) ||
        (prior.size(0) != 1 && prior.size(0) != batch))
    {
      throw InvalidNetworkInput("task embedding stage " + std::to_string(stage) + " " +
                                shapeText(prior) + " does not fit this model (channels " +
                                std::to_string(config_.priorChannels(stage)) + ", batch 1 or " +
                                std::to_string(batch) + ")");
    }
    priors.push_back(prior.expand({batch, -1, -1, -1}));
  }
  std::optional<torch::NoGradGuard> noGrad;
  if (!tuning)
  {
    noGrad.emplace();
  }
  auto decoded = network_->decode(features, priors);
  return DecodeOutput{decoded.logits, decoded.posteriors, decoded.classifierWeights};
}

torch::Tensor IrisModel::decodeLogits(const torch::Tensor& query,
                                      const TaskEmbedding& embeddings) const
{
  return decode(query, embeddings).logits;
}

torch::Tensor IrisModel::decodeProbabilities(const torch::Tensor& query,
                                             const TaskEmbedding& embeddings) const
{
  return torch::sigmoid(decodeLogits(query, embeddings));
}

void IrisModel::setMemoryBankClasses(std::vector<std::string> names)
{
  if (names.size() > static_cast<size_t>(config_.tn))
  {
    throw std::invalid_argument(std::to_string(names.size()) +
                                " memory-bank class names for a bank of " +
                                std::to_string(config_.tn) + " rows");
  }
  names.resize(static_cast<size_t>(config_.tn));
  memoryBankClasses_ = std::move(names);
}

int64_t IrisModel::memoryBankRow(const std::string& name) const
{
  if (name.empty())
  {
    return -1;
  }
  for (size_t row = 0; row < memoryBankClasses_.size(); ++row)
  {
    if (memoryBankClasses_[row] == name)
    {
      return static_cast<int64_t>(row);
    }
  }
  return -1;
}

void IrisModel::setSpacingMm(double spacingMm)
{
  if (!(spacingMm > 0.0) || !std::isfinite(spacingMm))
  {
    throw std::invalid_argument("model spacing must be a positive number of mm, got " +
                                std::to_string(spacingMm));
  }
  spacingMm_ = spacingMm;
}

TaskEmbedding IrisModel::memoryBank(const std::vector<int64_t>& classIndices) const
{
  if (classIndices.empty())
  {
    throw std::invalid_argument("memoryBank: no class indices given");
  }
  for (auto index : classIndices)
  {
    if (index < 0 || index >= config_.tn)
    {
      throw std::out_of_range("Memory-bank class " + std::to_string(index) + " is outside 0.." +
                              std::to_string(config_.tn - 1));
    }
  }
  torch::NoGradGuard noGrad;
  auto indices = torch::tensor(classIndices, torch::kLong).to(device()).unsqueeze(0);
  TaskEmbedding embedding{network_->memoryBank(indices)};
  return embedding.detachedClone();
}

void IrisModel::setMemoryBank(const std::vector<int64_t>& classIndices,
                              const TaskEmbedding& embeddings)
{
  embeddings.validate();
  if (static_cast<int64_t>(classIndices.size()) != embeddings.classCount() ||
      embeddings.stages.size() != network_->taskPriors.size())
  {
    throw std::invalid_argument("setMemoryBank: " + std::to_string(classIndices.size()) +
                                " indices for " + std::to_string(embeddings.classCount()) +
                                " classes, or a stage-count mismatch");
  }
  torch::NoGradGuard noGrad;
  for (size_t row = 0; row < classIndices.size(); ++row)
  {
    if (classIndices[row] < 0 || classIndices[row] >= config_.tn)
    {
      throw std::out_of_range("Memory-bank class " + std::to_string(classIndices[row]) +
                              " is outside 0.." + std::to_string(config_.tn - 1));
    }
    for (size_t stage = 0; stage < embeddings.stages.size(); ++stage)
    {
      network_->taskPriors[stage][classIndices[row]].copy_(embeddings.stages[stage][0][row]);
    }
  }
}
} // namespace iris::inference
