#include "OrthancPlugin/EmbeddingBlob.h"

#include <cstring>
#include <stdexcept>

namespace iris::plugin
{
namespace
{
// Must match inference/TaskEmbedding.cpp.
constexpr char kMagic[8] = {'I', 'R', 'I', 'S', 'E', 'M', 'B', '1'};
constexpr uint32_t kMaxStages = 8;
constexpr int64_t kMaxDimension = int64_t{1} << 24;

template <typename T> T take(const std::string& bytes, size_t& offset)
{
  if (bytes.size() - offset < sizeof(T))
  {
    throw std::invalid_argument("Task embedding blob is truncated at byte " +
                                std::to_string(offset) + " of " + std::to_string(bytes.size()));
  }
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  offset += sizeof(T);
  return value;
}

template <typename T> void append(std::string& out, T value)
{
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

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
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
  {
    throw std::invalid_argument("Not a task embedding blob (bad magic)");
  }
  size_t offset = sizeof(kMagic);
  const auto stageCount = take<uint32_t>(bytes, offset);
  if (stageCount == 0 || stageCount > kMaxStages)
  {
    throw std::invalid_argument("Task embedding blob declares " + std::to_string(stageCount) +
                                " stages");
  }
  EmbeddingBlob blob;
  blob.stages.resize(stageCount);
  size_t payload = 0;
  for (auto& stage : blob.stages)
  {
    for (int64_t* dimension : {&stage.batch, &stage.classes, &stage.tokens, &stage.channels})
    {
      *dimension = take<int64_t>(bytes, offset);
      if (*dimension < 1 || *dimension > kMaxDimension)
      {
        throw std::invalid_argument("Task embedding blob has an invalid dimension " +
                                    std::to_string(*dimension));
      }
    }
    const auto count = static_cast<size_t>(stage.batch * stage.classes) * stage.classSize();
    if (count > bytes.size() / sizeof(float))
    {
      throw std::invalid_argument("Task embedding blob declares more data than it holds");
    }
    payload += count * sizeof(float);
  }
  if (bytes.size() - offset != payload)
  {
    throw std::invalid_argument("Task embedding blob holds " +
                                std::to_string(bytes.size() - offset) +
                                " data bytes, its header declares " + std::to_string(payload));
  }
  for (size_t i = 0; i < blob.stages.size(); ++i)
  {
    auto& stage = blob.stages[i];
    if (stage.batch != blob.stages[0].batch || stage.classes != blob.stages[0].classes ||
        stage.tokens != blob.stages[0].tokens)
    {
      throw std::invalid_argument("Task embedding blob stage " + std::to_string(i) +
                                  ": batch, class or token count differs from stage 0");
    }
    stage.values.resize(static_cast<size_t>(stage.batch * stage.classes) * stage.classSize());
    std::memcpy(stage.values.data(), bytes.data() + offset, stage.values.size() * sizeof(float));
    offset += stage.values.size() * sizeof(float);
  }
  return blob;
}

std::string EmbeddingBlob::serialize() const
{
  std::string out(kMagic, sizeof(kMagic));
  append<uint32_t>(out, static_cast<uint32_t>(stages.size()));
  for (const auto& stage : stages)
  {
    for (int64_t dimension : {stage.batch, stage.classes, stage.tokens, stage.channels})
    {
      append<int64_t>(out, dimension);
    }
  }
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
