#include "inference/training/TrainingMemoryBank.h"

#include "inference/IrisNetwork.h"

#include <algorithm>

namespace iris::inference::training
{
namespace
{
constexpr const char* kOptimizerFile = "bank-optimizer.pt";
} // namespace

void zeroMissingGradients(std::vector<torch::Tensor>& tensors)
{
  for (auto& tensor : tensors)
  {
    if (!tensor.grad().defined())
    {
      tensor.mutable_grad() = torch::zeros_like(tensor);
    }
  }
}

TrainingMemoryBank::TrainingMemoryBank(const TrainingOptions& options, IrisModel& trained,
                                       IrisModel& shipped, size_t rows)
    : options_(options), trainedModel_(trained), shippedModel_(shipped), seen_(rows, 0)
{
  if (!options.trainsMemoryBank())
  {
    return;
  }
  auto& bank = trainedModel_.network().taskPriors;
  for (auto& stage : bank)
  {
    stage.set_requires_grad(true);
  }
  optimizer_ = std::make_unique<torch::optim::AdamW>(
      bank, torch::optim::AdamWOptions(options.learningRate).weight_decay(0.0));
}

bool TrainingMemoryBank::decodesFromBank(const Episode& episode, std::mt19937_64& rng) const
{
  if (options_.bankEpisodeProbability <= 0.0 ||
      std::uniform_real_distribution<double>(0.0, 1.0)(rng) >= options_.bankEpisodeProbability)
  {
    return false;
  }
  return !episode.bankRows.empty() &&
         std::all_of(episode.bankRows.begin(), episode.bankRows.end(),
                     [&](int64_t row) { return row >= 0 && seen_[row]; });
}

std::vector<torch::Tensor> TrainingMemoryBank::priors(const std::vector<int64_t>& rows) const
{
  const auto& bank = trainedModel_.network().taskPriors;
  const auto index = torch::tensor(rows, torch::kLong).to(bank.front().device());
  std::vector<torch::Tensor> selected;
  for (const auto& stage : bank)
  {
    selected.push_back(stage.index_select(0, index).unsqueeze(0));
  }
  return selected;
}

torch::Tensor
TrainingMemoryBank::alignmentLoss(const Episode& episode,
                                  const std::vector<torch::Tensor>& referencePriors) const
{
  auto sum = torch::zeros({}, referencePriors.front().options());
  int64_t terms = 0;
  const auto& bank = trainedModel_.network().taskPriors;
  for (size_t k = 0; k < episode.bankRows.size(); ++k)
  {
    const auto row = episode.bankRows[k];
    if (row < 0 || !seen_[row] || !episode.referenceHasClass[k])
    {
      continue;
    }
    for (size_t stage = 0; stage < bank.size(); ++stage)
    {
      const auto cosine = torch::cosine_similarity(referencePriors[stage][0][k],
                                                   bank[stage][row].detach(), /*dim=*/-1);
      sum = sum + (1.0 - cosine).mean();
      ++terms;
    }
  }
  return terms > 0 ? sum / static_cast<double>(terms) : sum;
}

void TrainingMemoryBank::beginStep(double learningRate)
{
  if (!optimizer_)
  {
    return;
  }
  for (auto& group : optimizer_->param_groups())
  {
    static_cast<torch::optim::AdamWOptions&>(group.options())
        .lr(learningRate * options_.bankLearningRateScale);
  }
  optimizer_->zero_grad();
}

void TrainingMemoryBank::record(const Episode& episode,
                                const std::vector<torch::Tensor>& referencePriors)
{
  torch::NoGradGuard noGrad;
  auto& shipped = shippedModel_.network().taskPriors;
  auto& trained = trainedModel_.network().taskPriors;
  for (size_t k = 0; k < episode.bankRows.size(); ++k)
  {
    const auto row = episode.bankRows[k];
    if (row < 0 || !episode.referenceHasClass[k] || (optimizer_ && seen_[row]))
    {
      continue;
    }
    const double moment = seen_[row] ? options_.memoryBankMoment : 0.0;
    for (size_t stage = 0; stage < shipped.size(); ++stage)
    {
      shipped[stage][row].mul_(moment).add_(referencePriors[stage][0][k].detach(), 1.0 - moment);
      if (optimizer_)
      {
        trained[stage][row].copy_(shipped[stage][row]);
      }
    }
    seen_[row] = 1;
  }
}

void TrainingMemoryBank::endStep(double emaDecay)
{
  if (!optimizer_)
  {
    return;
  }
  auto& trained = trainedModel_.network().taskPriors;
  zeroMissingGradients(trained);
  torch::nn::utils::clip_grad_norm_(trained, options_.gradientClip);
  optimizer_->step();
  torch::NoGradGuard noGrad;
  auto& shipped = shippedModel_.network().taskPriors;
  const auto seen = torch::nonzero(torch::tensor(seen_)).flatten().to(shipped.front().device());
  for (size_t stage = 0; stage < shipped.size(); ++stage)
  {
    shipped[stage].index_copy_(0, seen,
                               shipped[stage].index_select(0, seen).mul(emaDecay).add(
                                   trained[stage].index_select(0, seen).detach(), 1.0 - emaDecay));
  }
}

void TrainingMemoryBank::save(const std::filesystem::path& stateDir) const
{
  if (optimizer_)
  {
    torch::serialize::OutputArchive archive;
    optimizer_->save(archive);
    archive.save_to((stateDir / kOptimizerFile).string());
  }
}

void TrainingMemoryBank::load(const std::filesystem::path& stateDir, const torch::Device& device,
                              std::vector<std::string>& notes)
{
  if (!optimizer_)
  {
    return;
  }
  if (std::filesystem::exists(stateDir / kOptimizerFile))
  {
    torch::serialize::InputArchive archive;
    archive.load_from((stateDir / kOptimizerFile).string(), device);
    optimizer_->load(archive);
    return;
  }
  torch::NoGradGuard noGrad;
  auto& trained = trainedModel_.network().taskPriors;
  for (size_t stage = 0; stage < trained.size(); ++stage)
  {
    trained[stage].copy_(shippedModel_.network().taskPriors[stage]);
  }
  notes.push_back("the saved state kept an EMA memory bank; its rows start the trained bank");
}
} // namespace iris::inference::training
