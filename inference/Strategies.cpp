#include "inference/Strategies.h"

#include "inference/SegmentationError.h"

#include <algorithm>
#include <numeric>

namespace iris::inference
{
namespace
{
// Per class: the mask of the voxels the decision rule gives it (p >= threshold and above every
// earlier class).
std::vector<torch::Tensor> decisionMasks(const torch::Tensor& probabilities, double threshold)
{
  auto best = torch::zeros_like(probabilities[0]);
  auto label = torch::zeros(probabilities[0].sizes(), torch::kInt64);
  for (int64_t k = 0; k < probabilities.size(0); ++k)
  {
    const auto p = probabilities[k];
    const auto wins = (p >= threshold) & (p > best);
    best = torch::where(wins, p, best);
    label.masked_fill_(wins, k + 1);
  }
  std::vector<torch::Tensor> masks;
  for (int64_t k = 0; k < probabilities.size(0); ++k)
  {
    masks.push_back((label == k + 1).to(torch::kFloat32));
  }
  return masks;
}

torch::Tensor softDiceLoss(const torch::Tensor& probabilities, const torch::Tensor& masks)
{
  const std::vector<int64_t> spatial{2, 3, 4};
  const auto overlap = (probabilities * masks).sum(spatial);
  const auto total = probabilities.sum(spatial) + masks.sum(spatial);
  return (1.0 - (2.0 * overlap + 1.0) / (total + 1.0)).mean();
}
} // namespace

TaskEmbedding encodeCrops(const IrisModel& model, const std::vector<PreparedReference>& crops,
                          size_t classCount)
{
  std::vector<TaskEmbedding> perClass(classCount);
  std::vector<bool> found(classCount, false);
  const auto device = model.device();
  for (const auto& crop : crops)
  {
    const auto embedding = model.encode(crop.image.to(device), crop.masks.to(device));
    for (size_t channel = 0; channel < crop.classes.size(); ++channel)
    {
      const size_t k = crop.classes[channel];
      perClass.at(k) = embedding.selectClasses({static_cast<int64_t>(channel)});
      found.at(k) = true;
    }
  }
  if (std::find(found.begin(), found.end(), false) != found.end())
  {
    throw SegmentationError("A reference crop set does not cover every class");
  }
  return TaskEmbedding::concatenateClasses(perClass);
}

torch::Tensor predictQuery(const IrisModel& model, const PreparedQuery& query,
                           const TaskEmbedding& embedding)
{
  SlidingWindowOptions options;
  const int64_t patch = model.config().patchSize;
  options.patch = {patch, patch, patch};
  const auto device = model.device();
  const auto onDevice = embedding.to(device);
  return slidingWindow(
      query.image,
      [&](const torch::Tensor& window, const Index3&)
      { return model.decodeProbabilities(window.to(device), onDevice); },
      options);
}

TaskEmbedding ensembleEmbedding(const std::vector<TaskEmbedding>& references)
{
  if (references.empty())
  {
    throw SegmentationError("The context ensemble needs at least one reference");
  }
  return references.size() == 1 ? references.front() : TaskEmbedding::mean(references);
}

Retrieval retrieveMostSimilar(const TaskEmbedding& probe, const std::vector<TaskEmbedding>& pool,
                              size_t topK)
{
  if (pool.empty())
  {
    throw SegmentationError("Retrieval needs a non-empty reference pool");
  }
  Retrieval retrieval;
  std::vector<TaskEmbedding> classes;
  const int64_t classCount = probe.classCount();
  for (int64_t k = 0; k < classCount; ++k)
  {
    const auto probeClass = probe.selectClasses({k});
    std::vector<std::pair<double, size_t>> scored;
    for (size_t j = 0; j < pool.size(); ++j)
    {
      const auto candidate = pool[j].selectClasses({k});
      scored.emplace_back(cosineSimilarity(probeClass, candidate).item<double>(), j);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<size_t> chosen;
    std::vector<TaskEmbedding> picked;
    for (size_t n = 0; n < std::min(std::max<size_t>(topK, 1), scored.size()); ++n)
    {
      chosen.push_back(scored[n].second);
      picked.push_back(pool[scored[n].second].selectClasses({k}));
    }
    classes.push_back(ensembleEmbedding(picked));
    retrieval.chosen.push_back(chosen);
  }
  retrieval.embedding = TaskEmbedding::concatenateClasses(classes);
  return retrieval;
}

Retrieval objectLevelRetrieval(const IrisModel& model, const PreparedQuery& query,
                               const torch::Tensor& probabilities,
                               const std::vector<TaskEmbedding>& pool, size_t topK,
                               double threshold)
{
  const auto masks = decisionMasks(probabilities, threshold);
  std::vector<torch::Tensor> shown;
  std::vector<size_t> shownClasses;
  for (size_t k = 0; k < masks.size(); ++k)
  {
    if (masks[k].any().item<bool>())
    {
      shown.push_back(masks[k]);
      shownClasses.push_back(k);
    }
  }
  const auto poolMean = ensembleEmbedding(pool);
  if (shown.empty())
  {
    return {poolMean, std::vector<std::vector<size_t>>(masks.size())};
  }
  const int64_t patch = model.config().patchSize;
  const auto crops =
      cropAroundForeground(query.unscaled, shown, query.modality, {patch, patch, patch});
  const auto probe = encodeCrops(model, crops, shown.size()).to(torch::kCPU);

  std::vector<TaskEmbedding> shownPool;
  std::vector<int64_t> shownIndices(shownClasses.begin(), shownClasses.end());
  for (const auto& entry : pool)
  {
    shownPool.push_back(entry.to(torch::kCPU).selectClasses(shownIndices));
  }
  const auto matched = retrieveMostSimilar(probe, shownPool, topK);

  Retrieval retrieval;
  std::vector<TaskEmbedding> classes;
  for (size_t k = 0, s = 0; k < masks.size(); ++k)
  {
    if (s < shownClasses.size() && shownClasses[s] == k)
    {
      classes.push_back(matched.embedding.selectClasses({static_cast<int64_t>(s)}));
      retrieval.chosen.push_back(matched.chosen[s]);
      ++s;
    }
    else
    {
      classes.push_back(poolMean.to(torch::kCPU).selectClasses({static_cast<int64_t>(k)}));
      retrieval.chosen.emplace_back();
    }
  }
  retrieval.embedding = TaskEmbedding::concatenateClasses(classes);
  return retrieval;
}

torch::Tensor referenceLoss(const IrisModel& model, const TaskEmbedding& embedding,
                            const std::vector<std::vector<PreparedReference>>& references)
{
  const auto device = model.device();
  torch::Tensor total = torch::zeros({}, torch::TensorOptions().device(device));
  int64_t count = 0;
  for (const auto& crops : references)
  {
    for (const auto& crop : crops)
    {
      std::vector<int64_t> classes(crop.classes.begin(), crop.classes.end());
      const auto logits =
          model.decodeLogits(crop.image.to(device), embedding.selectClasses(classes));
      const auto masks = crop.masks.to(device);
      const auto bce = torch::binary_cross_entropy_with_logits(logits, masks);
      total = total + bce + softDiceLoss(torch::sigmoid(logits), masks);
      ++count;
    }
  }
  if (count == 0)
  {
    throw SegmentationError("In-context tuning needs at least one labelled reference");
  }
  return total / static_cast<double>(count);
}

Tuning tuneEmbedding(const IrisModel& model, const TaskEmbedding& initial,
                     const std::vector<std::vector<PreparedReference>>& references,
                     const TuningOptions& options)
{
  // Inference tensors cannot enter autograd; start from plain clones.
  TaskEmbedding embedding = initial.to(model.device()).detachedClone();
  std::vector<torch::Tensor> parameters;
  for (auto& stage : embedding.stages)
  {
    stage = stage.clone().requires_grad_(true);
    parameters.push_back(stage);
  }
  torch::optim::Adam optimiser(parameters, torch::optim::AdamOptions(options.learningRate));
  Tuning tuning;
  for (int step = 0; step < options.steps; ++step)
  {
    optimiser.zero_grad();
    const auto loss = referenceLoss(model, embedding, references);
    tuning.losses.push_back(loss.item<double>());
    loss.backward();
    optimiser.step();
  }
  {
    torch::NoGradGuard noGrad;
    tuning.losses.push_back(referenceLoss(model, embedding, references).item<double>());
  }
  tuning.embedding = embedding.detachedClone();
  return tuning;
}
} // namespace iris::inference
