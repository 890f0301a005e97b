#include "inference/TaskEmbedding.h"

#include "inference/EmbeddingBytes.h"

#include <cstring>
#include <stdexcept>

namespace iris::inference
{
namespace
{
constexpr int64_t kRank = 4;

void requireStages(const TaskEmbedding& embedding, const char* what)
{
  if (embedding.stages.empty())
  {
    throw std::invalid_argument(std::string(what) + ": the task embedding has no stages");
  }
}
} // namespace

int64_t TaskEmbedding::batchSize() const
{
  requireStages(*this, "batchSize");
  return stages[0].size(0);
}

int64_t TaskEmbedding::classCount() const
{
  requireStages(*this, "classCount");
  return stages[0].size(1);
}

int64_t TaskEmbedding::tokensPerClass() const
{
  requireStages(*this, "tokensPerClass");
  return stages[0].size(2);
}

std::vector<int64_t> TaskEmbedding::stageChannels() const
{
  std::vector<int64_t> channels;
  for (const auto& stage : stages)
  {
    channels.push_back(stage.size(3));
  }
  return channels;
}

torch::Device TaskEmbedding::device() const
{
  requireStages(*this, "device");
  return stages[0].device();
}

void TaskEmbedding::validate() const
{
  requireStages(*this, "validate");
  for (size_t i = 0; i < stages.size(); ++i)
  {
    const auto& stage = stages[i];
    const std::string where = "task embedding stage " + std::to_string(i);
    if (!stage.defined() || stage.dim() != kRank)
    {
      throw std::invalid_argument(where + ": expected a [B,K,tokens,C] tensor");
    }
    if (stage.scalar_type() != torch::kFloat32)
    {
      throw std::invalid_argument(where + ": expected float32");
    }
    if (stage.size(0) != stages[0].size(0) || stage.size(1) != stages[0].size(1) ||
        stage.size(2) != stages[0].size(2))
    {
      throw std::invalid_argument(where + ": batch, class or token count differs from stage 0");
    }
  }
}

TaskEmbedding TaskEmbedding::selectClasses(const std::vector<int64_t>& indices) const
{
  validate();
  for (auto index : indices)
  {
    if (index < 0 || index >= classCount())
    {
      throw std::out_of_range("Class index " + std::to_string(index) + " is outside 0.." +
                              std::to_string(classCount() - 1));
    }
  }
  auto selector = torch::tensor(indices, torch::kLong).to(device());
  TaskEmbedding selected;
  for (const auto& stage : stages)
  {
    selected.stages.push_back(stage.index_select(1, selector));
  }
  return selected;
}

TaskEmbedding TaskEmbedding::concatenateClasses(const std::vector<TaskEmbedding>& parts)
{
  if (parts.empty())
  {
    throw std::invalid_argument("concatenateClasses: nothing to concatenate");
  }
  TaskEmbedding joined;
  for (size_t stage = 0; stage < parts[0].stages.size(); ++stage)
  {
    std::vector<torch::Tensor> pieces;
    for (const auto& part : parts)
    {
      part.validate();
      if (part.stages.size() != parts[0].stages.size())
      {
        throw std::invalid_argument("concatenateClasses: parts have different stage counts");
      }
      pieces.push_back(part.stages[stage]);
    }
    joined.stages.push_back(torch::cat(pieces, 1));
  }
  return joined;
}

TaskEmbedding TaskEmbedding::mean(const std::vector<TaskEmbedding>& parts)
{
  if (parts.empty())
  {
    throw std::invalid_argument("mean: no task embeddings to average");
  }
  TaskEmbedding averaged;
  for (size_t stage = 0; stage < parts[0].stages.size(); ++stage)
  {
    std::vector<torch::Tensor> pieces;
    for (const auto& part : parts)
    {
      part.validate();
      if (part.stages.size() != parts[0].stages.size() ||
          !part.stages[stage].sizes().equals(parts[0].stages[stage].sizes()))
      {
        throw std::invalid_argument("mean: task embeddings differ in shape at stage " +
                                    std::to_string(stage));
      }
      pieces.push_back(part.stages[stage]);
    }
    averaged.stages.push_back(torch::stack(pieces).mean(0));
  }
  return averaged;
}

TaskEmbedding TaskEmbedding::to(const torch::Device& target) const
{
  TaskEmbedding moved;
  for (const auto& stage : stages)
  {
    moved.stages.push_back(stage.to(target));
  }
  return moved;
}

TaskEmbedding TaskEmbedding::detachedClone() const
{
  TaskEmbedding copy;
  for (const auto& stage : stages)
  {
    copy.stages.push_back(stage.detach().clone());
  }
  return copy;
}

torch::Tensor TaskEmbedding::flattenPerClass() const
{
  validate();
  std::vector<torch::Tensor> pieces;
  for (const auto& stage : stages)
  {
    pieces.push_back(stage.flatten(2));
  }
  return torch::cat(pieces, 2);
}

std::string TaskEmbedding::serialize() const
{
  validate();
  std::vector<embedding_bytes::StageShape> shapes;
  for (const auto& stage : stages)
  {
    shapes.push_back({stage.size(0), stage.size(1), stage.size(2), stage.size(3)});
  }
  std::string out = embedding_bytes::writeHeader(shapes);
  for (const auto& stage : stages)
  {
    auto data = stage.detach().to(torch::kCPU).contiguous();
    out.append(static_cast<const char*>(data.data_ptr()), data.numel() * sizeof(float));
  }
  return out;
}

TaskEmbedding TaskEmbedding::deserialize(const std::string& bytes)
{
  const auto layout = embedding_bytes::readLayout(bytes);
  size_t offset = layout.dataOffset;
  TaskEmbedding embedding;
  for (const auto& shape : layout.shapes)
  {
    auto stage = torch::empty({shape[0], shape[1], shape[2], shape[3]}, torch::kFloat32);
    std::memcpy(stage.data_ptr(), bytes.data() + offset, stage.numel() * sizeof(float));
    offset += stage.numel() * sizeof(float);
    embedding.stages.push_back(stage);
  }
  embedding.validate();
  return embedding;
}

torch::Tensor cosineSimilarity(const TaskEmbedding& a, const TaskEmbedding& b)
{
  auto left = a.flattenPerClass()[0];
  auto right = b.flattenPerClass()[0].to(left.device());
  if (left.size(1) != right.size(1))
  {
    throw std::invalid_argument("cosineSimilarity: embeddings of different architectures");
  }
  constexpr double kEps = 1e-8;
  left = left / left.norm(2, 1, true).clamp_min(kEps);
  right = right / right.norm(2, 1, true).clamp_min(kEps);
  return torch::matmul(left, right.t());
}
} // namespace iris::inference
