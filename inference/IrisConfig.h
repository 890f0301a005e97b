#pragma once

#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::inference
{
// The network's shape, torch-free so that the plugin, the CLI and storage can read and compare
// it. JSON keys are the reference constructor arguments (`Iris(**cfg)`), plus `num_query_tokens`
// and `patch_size`, which the reference fixes at 10 and 128.
struct IrisConfig
{
  int inChannels = 1;
  std::vector<int> channels{32, 64, 128, 256, 512}; // encoder stage widths, shallowest first
  std::vector<int> scale{2, 2, 2, 2};               // only 2 (MaxPool3d(2)) is supported
  std::vector<int> kernelSize{3, 3, 3, 3, 3};       // only 3 is supported
  std::string block = "BasicBlock";
  std::vector<int> numBlock{2, 2, 2, 2}; // blocks in down1..4; up4..1 mirror them
  bool pool = true;
  std::string norm = "in";
  int tn = 73;           // memory-bank rows
  int numPriorStage = 3; // task-encoding / fusion stages, deepest first
  double emaMoment = 0.99;
  int queryTokens = 10; // learned task queries m; each class has m + 1 tokens
  int patchSize = 128;  // edge of the positional embeddings, hence the largest input

  // The released `mass_base` configuration (120,126,373 parameters).
  static IrisConfig released();

  // Throws InvalidIrisConfig naming the offending key when the network cannot be built.
  void validate() const;

  int stageCount() const { return static_cast<int>(channels.size()); } // 5
  // Channels of prior stage i (0 = deepest).
  int priorChannels(int stage) const { return channels[channels.size() - 1 - stage]; }
  // Sub-pixel factor of prior stage i: 2^(4 - i) for five stages.
  int priorScale(int stage) const { return 1 << (stageCount() - 1 - stage); }
  int tokensPerClass() const { return queryTokens + 1; }
  // Every input edge must be a multiple of this (the deepest stage's total downsampling).
  int sizeMultiple() const { return 1 << (stageCount() - 1); }

  nlohmann::json toJson() const;
  // Unknown keys (e.g. `type`, `ema_moment` variants) are ignored; missing keys keep defaults.
  static IrisConfig fromJson(const nlohmann::json& json);
  std::string toJsonString() const;
  static IrisConfig fromJsonString(const std::string& text);

  bool operator==(const IrisConfig& other) const;
  bool operator!=(const IrisConfig& other) const { return !(*this == other); }
};

class InvalidIrisConfig : public std::invalid_argument
{
public:
  using std::invalid_argument::invalid_argument;
};
} // namespace iris::inference
