#pragma once

#include <cstdint>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace iris::inference
{
// Task embeddings of K classes: one tensor per prior stage (deepest first), each
// [B, K, m + 1, C_i] float32, tokens 0..m-1 the learned queries and token m the foreground token.
// This is all a class needs to be segmented, so it is what the product stores and reuses.
struct TaskEmbedding
{
  std::vector<torch::Tensor> stages;

  int64_t batchSize() const;
  int64_t classCount() const;
  int64_t tokensPerClass() const;
  std::vector<int64_t> stageChannels() const;
  torch::Device device() const;

  // Throws std::invalid_argument unless the stages agree on B, K and tokens and are float32.
  void validate() const;

  // Classes `indices` (of dimension K), in that order.
  TaskEmbedding selectClasses(const std::vector<int64_t>& indices) const;
  // The classes of every part, in order (same batch size, tokens and channels).
  static TaskEmbedding concatenateClasses(const std::vector<TaskEmbedding>& parts);
  // Element-wise mean of several embeddings of the same classes (context ensemble).
  static TaskEmbedding mean(const std::vector<TaskEmbedding>& parts);

  TaskEmbedding to(const torch::Device& device) const;
  TaskEmbedding detachedClone() const;

  // One flat vector per class: every token of every stage, [B, K, Σ (m+1)·C_i].
  torch::Tensor flattenPerClass() const;

  // Bit-exact, self-describing little-endian bytes (magic, stage shapes, raw float32), for
  // storage blobs. deserialize() validates every length and throws std::invalid_argument.
  std::string serialize() const;
  static TaskEmbedding deserialize(const std::string& bytes);
};

// Cosine similarity between every class of `a` and every class of `b` (batch 0 of each),
// computed on the flattened per-class vectors: [K_a, K_b].
torch::Tensor cosineSimilarity(const TaskEmbedding& a, const TaskEmbedding& b);
} // namespace iris::inference
