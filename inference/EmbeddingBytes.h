#pragma once
// The byte layout of a serialised task embedding: "IRISEMB1", the stage count (uint32), each
// stage's shape [batch, classes, tokens, channels] (int64), then each stage's float32 values.
// Shared by TaskEmbedding (torch) and the plugin's torch-free EmbeddingBlob so that both read and
// write one format. Header-only: the plugin includes it without linking torch.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::inference::embedding_bytes
{
constexpr char kMagic[8] = {'I', 'R', 'I', 'S', 'E', 'M', 'B', '1'};
constexpr uint32_t kMaxStages = 8;
constexpr int64_t kMaxDimension = int64_t{1} << 24;

using StageShape = std::array<int64_t, 4>; // batch, classes, tokens, channels

struct Layout
{
  std::vector<StageShape> shapes;
  std::vector<size_t> counts; // floats per stage
  size_t dataOffset = 0;      // where the first stage's values start
};

template <typename T> void append(std::string& out, T value)
{
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T> T take(const std::string& bytes, size_t& offset)
{
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
  {
    throw std::invalid_argument("Task embedding blob is truncated at byte " +
                                std::to_string(offset) + " of " + std::to_string(bytes.size()));
  }
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  offset += sizeof(T);
  return value;
}

inline std::string writeHeader(const std::vector<StageShape>& shapes)
{
  std::string out(kMagic, sizeof(kMagic));
  append<uint32_t>(out, static_cast<uint32_t>(shapes.size()));
  for (const auto& shape : shapes)
  {
    for (int64_t dimension : shape)
    {
      append<int64_t>(out, dimension);
    }
  }
  return out;
}

// Reads and checks the header against the bytes: throws std::invalid_argument saying what is
// wrong (magic, stage count, a dimension, or a payload of another size than the shapes declare).
inline Layout readLayout(const std::string& bytes)
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
  Layout layout;
  layout.shapes.resize(stageCount);
  size_t payload = 0;
  for (auto& shape : layout.shapes)
  {
    size_t count = 1;
    for (auto& dimension : shape)
    {
      dimension = take<int64_t>(bytes, offset);
      if (dimension < 1 || dimension > kMaxDimension)
      {
        throw std::invalid_argument("Task embedding blob has an invalid dimension " +
                                    std::to_string(dimension));
      }
      count *= static_cast<size_t>(dimension);
      // Checked after each factor, so that the product cannot overflow.
      if (count > bytes.size() / sizeof(float))
      {
        throw std::invalid_argument("Task embedding blob declares more data than it holds");
      }
    }
    layout.counts.push_back(count);
    payload += count * sizeof(float);
  }
  if (bytes.size() - offset != payload)
  {
    throw std::invalid_argument("Task embedding blob holds " +
                                std::to_string(bytes.size() - offset) +
                                " data bytes, its header declares " + std::to_string(payload));
  }
  layout.dataOffset = offset;
  return layout;
}
} // namespace iris::inference::embedding_bytes
