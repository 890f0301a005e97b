#pragma once

// Internal to inference/: includes torch. The inference strategies of the paper (section 3.3) on
// top of IrisModel's decoupled encode/decode API.
#include "inference/IrisModel.h"
#include "inference/Preprocess.h"
#include "inference/SlidingWindow.h"
#include "inference/TaskEmbedding.h"

#include <vector>

namespace iris::inference
{
// Task embeddings [1, K, m+1, C_i] of one reference, classes in the order of the crops'
// `classes` indices 0..classCount-1 (each crop encodes its classes in one pass).
TaskEmbedding encodeCrops(const IrisModel& model, const std::vector<PreparedReference>& crops,
                          size_t classCount);

// Probabilities [K, D, H, W] of a prepared query under `embedding`, all K classes decoded
// together in every window of the model's patch.
torch::Tensor predictQuery(const IrisModel& model, const PreparedQuery& query,
                           const TaskEmbedding& embedding);

// Context ensemble: the plain mean of several references' embeddings, per class and stage.
TaskEmbedding ensembleEmbedding(const std::vector<TaskEmbedding>& references);

// For each class, the `topK` pool entries whose embedding of that class is most cosine-similar
// to `probe`'s, and the mean of those.
struct Retrieval
{
  TaskEmbedding embedding;
  std::vector<std::vector<size_t>> chosen; // per class: pool indices, most similar first
};
Retrieval retrieveMostSimilar(const TaskEmbedding& probe, const std::vector<TaskEmbedding>& pool,
                              size_t topK);

// Object-level retrieval: the query's own prediction `probabilities` [K, D, H, W] (from an
// initial reference) becomes masks; the query is re-encoded with them, and each class takes
// the mean of the topK most similar pool embeddings. Classes the query did not show are given
// the mean of the whole pool.
Retrieval objectLevelRetrieval(const IrisModel& model, const PreparedQuery& query,
                               const torch::Tensor& probabilities,
                               const std::vector<TaskEmbedding>& pool, size_t topK,
                               double threshold = 0.5);

// In-context tuning: the network stays frozen; only the embedding is optimised, for `steps`
// Adam steps on sigmoid BCE + soft Dice over the labelled reference crops.
struct TuningOptions
{
  int steps = 20;
  double learningRate = 1e-2;
};
struct Tuning
{
  TaskEmbedding embedding;    // tuned, detached
  std::vector<double> losses; // before each step, then after the last: steps + 1 values
};
Tuning tuneEmbedding(const IrisModel& model, const TaskEmbedding& initial,
                     const std::vector<std::vector<PreparedReference>>& references,
                     const TuningOptions& options);

// The combined loss of `embedding` on reference crops (mean over crops), with autograd when the
// embedding requires grad.
torch::Tensor referenceLoss(const IrisModel& model, const TaskEmbedding& embedding,
                            const std::vector<std::vector<PreparedReference>>& references);
} // namespace iris::inference
