#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace iris::plugin
{
// One prior stage of a task embedding: [batch, classes, tokens, channels] float32, row-major.
struct EmbeddingStage
{
  int64_t batch = 0;
  int64_t classes = 0;
  int64_t tokens = 0;
  int64_t channels = 0;
  std::vector<float> values;

  // tokens * channels: one class's share of this stage.
  size_t classSize() const { return static_cast<size_t>(tokens * channels); }
};

// Torch-free view of the bytes inference::TaskEmbedding::serialize() writes (the cached reference
// embeddings and memory-bank classes), so the plugin reads and builds them without torch headers.
// Only batch 0 is ever used here.
struct EmbeddingBlob
{
  std::vector<EmbeddingStage> stages; // deepest first

  // Validates magic, stage count, every dimension and the byte count; throws
  // std::invalid_argument naming what is wrong.
  static EmbeddingBlob parse(const std::string& bytes);
  std::string serialize() const;

  int64_t classCount() const;
  // Class `index` of batch 0 as a one-class blob.
  EmbeddingBlob selectClass(int64_t index) const;
  // Class `index` of batch 0 flattened: stage 0 tokens (token-major, channels innermost), then
  // stage 1, ... The order in which cosine similarities are taken.
  std::vector<float> classVector(int64_t index) const;
  // The classes of every part in order (batch 1); parts must agree on stages, tokens, channels.
  static EmbeddingBlob concatenateClasses(const std::vector<EmbeddingBlob>& parts);
  // Element-wise mean of same-shaped blobs (the context ensemble of several references).
  static EmbeddingBlob mean(const std::vector<EmbeddingBlob>& parts);

  // [[tokens, channels], ...] per stage: the shape of one class.
  std::vector<std::vector<int64_t>> classShape() const;
};
} // namespace iris::plugin
