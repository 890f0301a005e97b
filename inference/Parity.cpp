#include "inference/Parity.h"

#include "inference/CheckpointStateDict.h"

#include <map>

namespace iris::inference
{
namespace
{
torch::Tensor requireTensor(const PickleValue& root, const std::string& key,
                            const std::string& source)
{
  const auto* value = root.find(key);
  if (!value || !value->isTensor())
  {
    throw CheckpointError(source + ": parity vectors lack the tensor \"" + key + "\"");
  }
  return value->tensor;
}

std::vector<int64_t> toIndices(const torch::Tensor& tensor)
{
  auto flat = tensor.to(torch::kLong).flatten().contiguous();
  return {flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel()};
}

// Every output the reference file may hold, recomputed with our implementation.
std::map<std::string, torch::Tensor> recompute(const IrisModel& model, const PickleValue& root,
                                               const std::string& source)
{
  std::map<std::string, torch::Tensor> outputs;
  const auto query = requireTensor(root, "in.query_image", source);
  const auto encoder = model.encodeFeatures(query);
  for (size_t level = 0; level < encoder.size(); ++level)
  {
    outputs["out.encoder." + std::to_string(level)] = encoder[level];
  }
  auto reference = model.encodeFeatures(requireTensor(root, "in.ref_image", source));
  for (int stage = 0; stage < model.config().numPriorStage; ++stage)
  {
    outputs["out.ref_encoder." + std::to_string(stage)] = reference[stage];
  }
  const auto embeddings =
      model.encodeFromFeatures(reference, requireTensor(root, "in.ref_masks", source));
  auto record =
      [&](const DecodeOutput& decoded, const std::string& prefix, const std::string& logitsKey)
  {
    for (size_t stage = 0; stage < decoded.posteriors.size(); ++stage)
    {
      outputs["out." + prefix + "posterior." + std::to_string(stage)] = decoded.posteriors[stage];
    }
    outputs["out." + prefix + "classifier_weights"] = decoded.classifierWeights;
    outputs[logitsKey] = decoded.logits;
  };
  for (size_t stage = 0; stage < embeddings.stages.size(); ++stage)
  {
    outputs["out.task_embedding." + std::to_string(stage)] = embeddings.stages[stage];
  }
  record(model.decode(query, embeddings), "", "out.logits");
  if (root.find("in.membank_idx"))
  {
    const auto bank = model.memoryBank(toIndices(requireTensor(root, "in.membank_idx", source)));
    record(model.decode(query, bank), "membank_", "out.logits_membank");
  }
  return outputs;
}
} // namespace

bool ParityReport::passed() const
{
  if (lines.empty())
  {
    return false;
  }
  for (const auto& line : lines)
  {
    if (!line.recomputed || !(line.relative <= tolerance))
    {
      return false;
    }
  }
  return true;
}

ParityReport checkParity(const std::filesystem::path& vectors, double tolerance)
{
  const auto root = readTorchPickle(vectors);
  const auto model = modelFromCheckpoint(root, vectors.string(), {});
  const auto outputs = recompute(model, root, vectors.string());

  ParityReport report;
  report.config = model.config().toJsonString();
  report.tolerance = tolerance;
  for (const auto& [key, value] : *root.entries)
  {
    if (!key.isString() || key.text.rfind("out.", 0) != 0 || !value.isTensor())
    {
      continue;
    }
    ParityLine line;
    line.output = key.text;
    auto found = outputs.find(key.text);
    if (found == outputs.end())
    {
      line.recomputed = false;
      report.lines.push_back(line);
      continue;
    }
    const auto expected = value.tensor.to(torch::kDouble);
    const auto ours = found->second.to(torch::kCPU, torch::kDouble);
    if (!ours.sizes().equals(expected.sizes()))
    {
      throw CheckpointError(vectors.string() + ": " + key.text + " has a different shape here");
    }
    line.maxAbsDiff = (ours - expected).abs().max().item<double>();
    line.maxAbsRef = expected.abs().max().item<double>();
    line.relative = line.maxAbsRef > 0 ? line.maxAbsDiff / line.maxAbsRef : line.maxAbsDiff;
    report.lines.push_back(line);
  }
  return report;
}
} // namespace iris::inference
