#include "OrthancPlugin/EmbeddingBlob.h"

#include "inference/EmbeddingBytes.h"

#include <cstring>
#include <stdexcept>

namespace iris::plugin
{
namespace
{
void requireSameClassShape(const EmbeddingBlob& first, const EmbeddingBlob& other, const char* what)
{
  if (other.classShape() != first.classShape())
  {
    throw std::invalid_argument(std::string(what) + ": task embeddings differ in stage shapes");
  }
}
} // namespace

EmbeddingBlob EmbeddingBlob::parse(const std::string& bytes)
{
  const auto layout = inference::embedding_bytes::readLayout(bytes);
  EmbeddingBlob blob;
  size_t offset = layout.dataOffset;
  for (size_t i = 0; i < layout.shapes.size(); ++i)
  {
    const auto& shape = layout.shapes[i];
    if (i > 0 && (shape[0] != layout.shapes[0][0] || shape[1] != layout.shapes[0][1] ||
                  shape[2] != layout.shapes[0][2]))
    {
      throw std::invalid_argument("Task embedding blob stage " + std::to_string(i) +
                                  ": batch, class or token count differs from stage 0");
    }
    EmbeddingStage stage;
    stage.batch = shape[0];
    stage.classes = shape[1];
    stage.tokens = shape[2];
    stage.channels = shape[3];
    stage.values.resize(layout.counts[i]);
    std::memcpy(stage.values.data(), bytes.data() + offset, stage.values.size() * sizeof(float));
    offset += stage.values.size() * sizeof(float);
    blob.stages.push_back(std::move(stage));
  }
  return blob;
}

std::string EmbeddingBlob::serialize() const
{
  std::vector<inference::embedding_bytes::StageShape> shapes;
  for (const auto& stage : stages)
  {
    shapes.push_back({stage.batch, stage.classes, stage.tokens, stage.channels});
  }
  std::string out = inference::embedding_bytes::writeHeader(shapes);
  for (const auto& stage : stages)
  {
    out.append(reinterpret_cast<const char*>(stage.values.data()),
               stage.values.size() * sizeof(float));
  }
  return out;
}

int64_t EmbeddingBlob::classCount() const
{
  return stages.empty() ? 0 : stages[0].classes;
}

EmbeddingBlob EmbeddingBlob::selectClass(int64_t index) const
{
  if (index < 0 || index >= classCount())
  {
    throw std::out_of_range("Class " + std::to_string(index) + " of a task embedding with " +
                            std::to_string(classCount()) + " classes");
  }
  EmbeddingBlob selected;
  for (const auto& stage : stages)
  {
    const auto begin =
        stage.values.begin() + static_cast<std::ptrdiff_t>(index * stage.classSize());
    selected.stages.push_back(
        {1, 1, stage.tokens, stage.channels, std::vector<float>(begin, begin + stage.classSize())});
  }
  return selected;
}

std::vector<float> EmbeddingBlob::classVector(int64_t index) const
{
  std::vector<float> flat;
  for (const auto& stage : selectClass(index).stages)
  {
    flat.insert(flat.end(), stage.values.begin(), stage.values.end());
  }
  return flat;
}

EmbeddingBlob EmbeddingBlob::concatenateClasses(const std::vector<EmbeddingBlob>& parts)
{
  if (parts.empty())
  {
    throw std::invalid_argument("concatenateClasses: nothing to concatenate");
  }
  EmbeddingBlob joined;
  for (const auto& stage : parts[0].stages)
  {
    joined.stages.push_back({1, 0, stage.tokens, stage.channels, {}});
  }
  for (const auto& part : parts)
  {
    requireSameClassShape(parts[0], part, "concatenateClasses");
    for (int64_t k = 0; k < part.classCount(); ++k)
    {
      const auto one = part.selectClass(k);
      for (size_t s = 0; s < joined.stages.size(); ++s)
      {
        auto& target = joined.stages[s];
        target.values.insert(target.values.end(), one.stages[s].values.begin(),
                             one.stages[s].values.end());
        ++target.classes;
      }
    }
  }
  return joined;
}

EmbeddingBlob EmbeddingBlob::mean(const std::vector<EmbeddingBlob>& parts)
{
  if (parts.empty())
  {
    throw std::invalid_argument("mean: no task embeddings to average");
  }
  EmbeddingBlob averaged = parts[0];
  for (size_t p = 1; p < parts.size(); ++p)
  {
    requireSameClassShape(parts[0], parts[p], "mean");
    for (size_t s = 0; s < averaged.stages.size(); ++s)
    {
      if (parts[p].stages[s].values.size() != averaged.stages[s].values.size())
      {
        throw std::invalid_argument("mean: task embeddings differ in class or batch count");
      }
      for (size_t i = 0; i < averaged.stages[s].values.size(); ++i)
      {
        averaged.stages[s].values[i] += parts[p].stages[s].values[i];
      }
    }
  }
  for (auto& stage : averaged.stages)
  {
    for (auto& value : stage.values)
    {
      value /= static_cast<float>(parts.size());
    }
  }
  return averaged;
}

std::vector<std::vector<int64_t>> EmbeddingBlob::classShape() const
{
  std::vector<std::vector<int64_t>> shape;
  for (const auto& stage : stages)
  {
    shape.push_back({stage.tokens, stage.channels});
  }
  return shape;
}
} // namespace iris::plugin
