#include "inference/ComputeDevice.h"
#include "inference/IrisModel.h"
#include "inference/IrisNetwork.h"
#include "inference/training/Manifest.h"
#include "inference/training/TrainingData.h"
#include "inference/training/TrainingLoss.h"
#include "inference/training/TrainingMemoryBank.h"
#include "inference/training/TrainingOptions.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

namespace iris::inference::training
{
namespace
{
namespace fs = std::filesystem;

uint64_t splitMix(uint64_t x)
{
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Linear warm-up, then cosine decay to finalLearningRateFraction of the peak.
double learningRateAt(const TrainingOptions& options, int64_t step)
{
  const double warmup = std::max(1.0, options.warmupFraction * static_cast<double>(options.steps));
  if (step < warmup)
  {
    return options.learningRate * (step + 1) / warmup;
  }
  const double progress = (step - warmup) / std::max(1.0, options.steps - warmup);
  const double floor = options.finalLearningRateFraction;
  return options.learningRate *
         (floor +
          (1.0 - floor) * 0.5 * (1.0 + std::cos(std::acos(-1.0) * std::min(1.0, progress))));
}

void validate(const TrainingOptions& options)
{
  options.model.validate();
  const int edge = options.cropEdge();
  if (edge % options.model.sizeMultiple() != 0 || edge > options.model.patchSize || edge <= 0)
  {
    throw TrainingError("The training crop " + std::to_string(edge) + " must be a multiple of " +
                        std::to_string(options.model.sizeMultiple()) +
                        " and at most the patch size " + std::to_string(options.model.patchSize));
  }
  if (options.steps <= 0 || options.checkpointEvery <= 0 || options.logEvery <= 0 ||
      options.episodesPerStep <= 0 || options.threads <= 0)
  {
    throw TrainingError("steps, checkpoint interval, log interval, episodes per step and "
                        "threads must be positive");
  }
  if (options.syntheticRatio < 0.0 || options.syntheticRatio > 1.0)
  {
    throw TrainingError("The synthetic ratio must lie in [0, 1]");
  }
  if (options.bankEpisodeProbability < 0.0 || options.bankEpisodeProbability > 1.0 ||
      options.bankAlignmentWeight < 0.0 || options.bankLearningRateScale <= 0.0)
  {
    throw TrainingError("bank_episode_probability must lie in [0, 1], bank_alignment_weight "
                        "must not be negative and bank_learning_rate_scale must be positive");
  }
  if (options.classSeparationWeight < 0.0 || options.classSeparationMargin <= 0.0 ||
      options.classSeparationMargin > 2.0)
  {
    throw TrainingError("class_separation_weight must not be negative and "
                        "class_separation_margin must lie in (0, 2]");
  }
}

class Run
{
public:
  Run(const TrainingOptions& options, const torch::Device& device, std::vector<std::string>& notes)
      : options_(options), device_(device), data_(options, notes), model_(seeded(options)),
        ema_(options.model), bank_(options_, model_, ema_, data_.classNames().size())
  {
    model_.to(device);
    ema_.to(device);
    auto& network = model_.network();
    network.train();
    for (auto& parameter : network.parameters())
    {
      parameter.set_requires_grad(true);
    }
    copyWeights(model_, ema_);
    ema_.setMemoryBankClasses(data_.classNames());
    ema_.setSpacingMm(options.spacingMm);
    optimizer_ = std::make_unique<torch::optim::AdamW>(
        network.parameters(),
        torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
  }

  const std::vector<std::string>& classNames() const { return data_.classNames(); }

  // Pinned memory lets the copy to a GPU run behind the CPU's next episode.
  torch::Tensor toDevice(const torch::Tensor& tensor) const
  {
    return device_.is_cuda() ? tensor.pin_memory().to(device_, /*non_blocking=*/true)
                             : tensor.to(device_);
  }

  // One optimisation step; returns the mean loss of its episodes.
  double step(int64_t t)
  {
    const uint64_t stepSeed = splitMix(options_.seed * 0x100000001B3ull + static_cast<uint64_t>(t));
    torch::manual_seed(stepSeed);
    std::mt19937_64 rng(splitMix(stepSeed));
    const double rate = learningRateAt(options_, t);
    for (auto& group : optimizer_->param_groups())
    {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(rate);
    }
    optimizer_->zero_grad();
    bank_.beginStep(rate);
    auto& network = model_.network();
    // The loss stays on the device until the step ends: reading it per episode would make the
    // CPU wait for the GPU instead of sampling the next episode meanwhile.
    auto total = torch::zeros({}, torch::TensorOptions().device(device_));
    for (int n = 0; n < options_.episodesPerStep; ++n)
    {
      const auto t0 = std::chrono::steady_clock::now();
      auto episode = data_.sample(rng);
      for (auto* tensor : {&episode.referenceImage, &episode.referenceMasks, &episode.queryImage,
                           &episode.queryMasks})
      {
        *tensor = toDevice(*tensor);
      }
      const auto t1 = std::chrono::steady_clock::now();
      const bool fromBank = bank_.decodesFromBank(episode, rng);
      const auto priors = fromBank
                              ? bank_.priors(episode.bankRows)
                              : network.encodePriors(network.encodeFeatures(episode.referenceImage),
                                                     episode.referenceMasks);
      const auto decoded = network.decode(network.encodeFeatures(episode.queryImage), priors);
      auto loss = segmentationLoss(decoded.logits, episode.queryMasks);
      if (options_.classSeparationWeight > 0.0)
      {
        loss = loss +
               options_.classSeparationWeight *
                   classSeparationLoss(decoded.classifierWeights, options_.classSeparationMargin);
      }
      if (!fromBank && options_.bankAlignmentWeight > 0.0)
      {
        loss = loss + options_.bankAlignmentWeight * bank_.alignmentLoss(episode, priors);
      }
      loss = loss / options_.episodesPerStep;
      const auto t2 = std::chrono::steady_clock::now();
      loss.backward();
      const auto t3 = std::chrono::steady_clock::now();
      total += loss.detach();
      if (!fromBank)
      {
        bank_.record(episode, priors);
      }
      if (std::getenv("IRIS_TRAIN_PROFILE"))
      {
        using S = std::chrono::duration<double>;
        std::cerr << episode.dataset << " K=" << episode.bankRows.size()
                  << (fromBank ? " bank" : "") << " sample " << S(t1 - t0).count() << " forward "
                  << S(t2 - t1).count() << " backward " << S(t3 - t2).count() << "\n";
      }
    }
    auto parameters = network.parameters();
    zeroMissingGradients(parameters);
    torch::nn::utils::clip_grad_norm_(parameters, options_.gradientClip);
    optimizer_->step();
    const double decay = std::min(options_.emaDecay, (1.0 + t) / (10.0 + t));
    bank_.endStep(decay);
    updateEma(decay);
    return total.item<double>();
  }

  void saveState(const fs::path& outDir, int64_t stepsDone) const
  {
    const auto temporary = outDir / "state.partial";
    fs::remove_all(temporary);
    fs::create_directories(temporary);
    model_.save(temporary / "model.pt");
    ema_.save(temporary / "ema.pt");
    torch::serialize::OutputArchive archive;
    optimizer_->save(archive);
    archive.save_to((temporary / "optimizer.pt").string());
    bank_.save(temporary);
    nlohmann::json state{
        {"step", stepsDone}, {"seen", bank_.seen()}, {"options", options_.toJsonString()}};
    std::ofstream(temporary / "trainer.json") << state.dump(1);
    const auto current = outDir / "state";
    fs::remove_all(outDir / "state.old");
    if (fs::exists(current))
    {
      fs::rename(current, outDir / "state.old");
    }
    fs::rename(temporary, current);
    fs::remove_all(outDir / "state.old");
  }

  // Returns the number of steps already done.
  int64_t loadState(const fs::path& outDir, std::vector<std::string>& notes)
  {
    const auto dir = outDir / "state";
    std::ifstream file(dir / "trainer.json");
    if (!file)
    {
      throw TrainingError("--resume: no saved state in " + dir.string());
    }
    nlohmann::json state;
    std::vector<int> seen;
    try
    {
      file >> state;
      seen = state.at("seen").get<std::vector<int>>();
    }
    catch (const std::exception& error)
    {
      throw TrainingError("--resume: " + (dir / "trainer.json").string() +
                          " is corrupt: " + error.what());
    }
    if (seen.size() != data_.classNames().size())
    {
      throw TrainingError("--resume: the saved state in " + dir.string() + " has " +
                          std::to_string(seen.size()) + " classes, the data now " +
                          std::to_string(data_.classNames().size()));
    }
    bank_.restoreSeen(seen);
    copyTensors(IrisModel::load(dir / "model.pt"), model_);
    auto ema = IrisModel::load(dir / "ema.pt");
    copyTensors(ema, ema_);
    torch::serialize::InputArchive archive;
    archive.load_from((dir / "optimizer.pt").string(), device_);
    optimizer_->load(archive);
    bank_.load(dir, device_, notes);
    return state.at("step").get<int64_t>();
  }

  void saveModel(const fs::path& path) const { ema_.save(path); }

private:
  static IrisModel seeded(const TrainingOptions& options)
  {
    torch::manual_seed(options.seed);
    return IrisModel(options.model);
  }

  static void copyWeights(const IrisModel& from, IrisModel& to)
  {
    torch::NoGradGuard noGrad;
    auto source = from.network().parameters();
    auto target = to.network().parameters();
    for (size_t n = 0; n < source.size(); ++n)
    {
      target[n].copy_(source[n]);
    }
  }

  static void copyTensors(const IrisModel& from, IrisModel& to)
  {
    torch::NoGradGuard noGrad;
    auto source = from.namedTensors();
    auto target = to.namedTensors();
    for (size_t n = 0; n < source.size(); ++n)
    {
      target[n].second.copy_(source[n].second);
    }
  }

  void updateEma(double decay)
  {
    torch::NoGradGuard noGrad;
    auto source = model_.network().parameters();
    auto target = ema_.network().parameters();
    for (size_t n = 0; n < source.size(); ++n)
    {
      target[n].mul_(decay).add_(source[n].detach(), 1.0 - decay);
    }
  }

  TrainingOptions options_;
  torch::Device device_;
  TrainingData data_;
  IrisModel model_;
  IrisModel ema_;
  TrainingMemoryBank bank_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
};
} // namespace

TrainingSummary train(const TrainingOptions& options,
                      const std::function<void(const TrainingProgress&)>& progress)
{
  validate(options);
  const auto compute = selectComputeDevice(options.device, options.threads);
  if (options.device == "cuda" && compute.selected != "cuda")
  {
    throw TrainingError("--device cuda: " + compute.detail);
  }
  if (compute.selected == "cuda")
  {
    // Every training crop has one size, so cuDNN's per-shape autotuning pays off after a step.
    at::globalContext().setBenchmarkCuDNN(true);
  }
  fs::create_directories(options.outDir);
  TrainingSummary summary;
  summary.notes.push_back("device: " + compute.selected + " (" + compute.detail + ")");
  Run run(options, torch::Device(compute.selected == "cuda" ? torch::kCUDA : torch::kCPU),
          summary.notes);
  summary.startStep = options.resume ? run.loadState(options.outDir, summary.notes) : 0;
  std::ofstream(options.outDir / "options.json") << options.toJsonString();

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto intervalStart = start;
  double intervalLoss = 0.0;
  int64_t intervalSteps = 0;
  bool firstInterval = true;
  const int64_t end = options.stopAt > 0 ? std::min(options.stopAt, options.steps) : options.steps;
  for (int64_t t = summary.startStep; t < end; ++t)
  {
    intervalLoss += run.step(t);
    ++intervalSteps;
    const int64_t done = t + 1;
    if (done % options.logEvery == 0 || done == options.steps)
    {
      const auto now = Clock::now();
      TrainingProgress line;
      line.step = done;
      line.steps = options.steps;
      line.loss = intervalLoss / intervalSteps;
      line.stepsPerSecond =
          intervalSteps /
          std::max(1e-9, std::chrono::duration<double>(now - intervalStart).count());
      line.etaSeconds = (options.steps - done) / std::max(1e-9, line.stepsPerSecond);
      line.learningRate = learningRateAt(options, t);
      if (firstInterval)
      {
        summary.firstLoss = line.loss;
        firstInterval = false;
      }
      summary.lastLoss = line.loss;
      if (progress)
      {
        progress(line);
      }
      intervalStart = now;
      intervalLoss = 0.0;
      intervalSteps = 0;
    }
    if (done % options.checkpointEvery == 0 && done != end)
    {
      run.saveState(options.outDir, done);
    }
  }
  run.saveState(options.outDir, end);
  summary.model = options.outDir / "model.pt";
  run.saveModel(summary.model);
  summary.steps = end;
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  summary.memoryBankClasses = run.classNames();
  return summary;
}
} // namespace iris::inference::training
