#include "inference/Checkpoint.h"

#include "inference/CheckpointStateDict.h"
#include "inference/IrisNetwork.h"

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace iris::inference
{
namespace
{
using Kind = PickleValue::Kind;
constexpr const char* kFormatName = "iris-checkpoint";
constexpr int64_t kFormatVersion = 1;
constexpr const char* kStateDictPrefix = "state_dict.";
constexpr const char* kMemoryBankClassesKey = "memory_bank_classes";
constexpr const char* kSpacingKey = "spacing_mm";
const char* const kWeightKeys[] = {"ema_model", "ema_state_dict", "model", "model_state_dict",
                                   "state_dict"};

std::string shapeText(at::IntArrayRef sizes)
{
  std::ostringstream text;
  text << sizes;
  return text.str();
}

bool startsWith(const std::string& text, const std::string& prefix)
{
  return text.compare(0, prefix.size(), prefix) == 0;
}

nlohmann::json toJson(const PickleValue& value)
{
  switch (value.kind)
  {
  case Kind::None:
    return nullptr;
  case Kind::Bool:
    return value.boolean;
  case Kind::Int:
    return value.integer;
  case Kind::Float:
    return value.real;
  case Kind::String:
    return value.text;
  case Kind::List:
  case Kind::Tuple:
  {
    auto array = nlohmann::json::array();
    for (const auto& item : *value.items)
    {
      array.push_back(toJson(item));
    }
    return array;
  }
  case Kind::Dict:
  {
    auto object = nlohmann::json::object();
    for (const auto& [key, item] : *value.entries)
    {
      object[key.kind == Kind::String ? key.text : std::to_string(key.integer)] = toJson(item);
    }
    return object;
  }
  default:
    return value.describe();
  }
}

bool isStateDict(const PickleValue& value)
{
  if (!value.isDict() || value.entries->empty())
  {
    return false;
  }
  for (const auto& [key, item] : *value.entries)
  {
    if (!key.isString() || !item.isTensor())
    {
      return false;
    }
  }
  return true;
}

struct Contents
{
  NamedTensors tensors;
  std::optional<nlohmann::json> config;
  std::string weightsKey;
  std::string configSource;
  bool zeroFillPositions = false; // parity format: stored corners of zero-filled embeddings
  std::vector<std::string> notes;
  std::vector<std::string> memoryBankClasses; // empty: every row unnamed
  std::optional<double> spacingMm;
};

// Our format's metadata: the memory-bank row names and the model voxel spacing.
void readMetadata(const PickleValue& root, const std::string& source, Contents& contents)
{
  if (const auto* names = root.find(kMemoryBankClassesKey); names && names->kind != Kind::None)
  {
    if (names->kind != Kind::List && names->kind != Kind::Tuple)
    {
      throw CheckpointError(source + ": " + kMemoryBankClassesKey +
                            " must be a list of strings, found " + names->describe());
    }
    for (const auto& name : *names->items)
    {
      if (!name.isString())
      {
        throw CheckpointError(source + ": " + kMemoryBankClassesKey + " must hold strings, found " +
                              name.describe());
      }
      contents.memoryBankClasses.push_back(name.text);
    }
  }
  if (const auto* spacing = root.find(kSpacingKey); spacing && spacing->kind != Kind::None)
  {
    const double value = spacing->kind == Kind::Float ? spacing->real
                         : spacing->kind == Kind::Int ? static_cast<double>(spacing->integer)
                                                      : -1.0;
    if (!(value > 0.0) || !std::isfinite(value))
    {
      throw CheckpointError(source + ": " + kSpacingKey + " must be a positive number, found " +
                            spacing->describe());
    }
    contents.spacingMm = value;
  }
}

Contents readContents(const PickleValue& root, const std::string& source)
{
  if (!root.isDict())
  {
    throw CheckpointError(source + ": expected a dict at the top level, found " + root.describe());
  }
  Contents contents;
  if (const auto* configJson = root.find("config_json"); configJson && configJson->isString())
  {
    // Our own format and the parity-vector format: "state_dict.<name>" entries.
    contents.config = nlohmann::json::parse(configJson->text);
    contents.configSource = "config_json";
    const auto* format = root.find("format");
    contents.zeroFillPositions = !(format && format->text == kFormatName);
    contents.weightsKey = "state_dict.*";
    readMetadata(root, source, contents);
    for (const auto& [key, item] : *root.entries)
    {
      if (key.isString() && startsWith(key.text, kStateDictPrefix) && item.isTensor())
      {
        contents.tensors.emplace_back(key.text.substr(std::string(kStateDictPrefix).size()),
                                      item.tensor);
      }
    }
    return contents;
  }
  const PickleValue* weights = nullptr;
  for (const char* key : kWeightKeys)
  {
    if (const auto* candidate = root.find(key); candidate && candidate->isDict())
    {
      weights = candidate;
      contents.weightsKey = key;
      break;
    }
  }
  if (!weights)
  {
    if (!isStateDict(root))
    {
      throw CheckpointError(source + ": no weights found (looked for ema_model, ema_state_dict, "
                                     "model, model_state_dict, state_dict, or a plain state_dict)");
    }
    weights = &root;
  }
  if (const auto* config = root.find("config"); config && config->isDict())
  {
    const auto* model = config->find("model");
    contents.config = toJson(model && model->isDict() ? *model : *config);
    contents.configSource = model ? "config.model" : "config";
  }
  for (const auto& [key, item] : *weights->entries)
  {
    if (!key.isString() || !item.isTensor())
    {
      contents.notes.push_back("skipped non-tensor entry " + key.describe() + " " + key.text);
      continue;
    }
    auto name = startsWith(key.text, "module.") ? key.text.substr(7) : key.text;
    if (name == "n_averaged") // torch.optim.swa_utils.AveragedModel bookkeeping
    {
      contents.notes.push_back("ignored n_averaged");
      continue;
    }
    contents.tensors.emplace_back(name, item.tensor);
  }
  return contents;
}

// Crops (or, for the parity format, zero-fills) the positional embeddings to the patch size.
void fitPositionalEmbeddings(Contents& contents, int patch)
{
  for (auto& [name, tensor] : contents.tensors)
  {
    if (name.find("pos_embed.embedding") == std::string::npos || tensor.dim() != 5)
    {
      continue;
    }
    if (tensor.size(2) >= patch && tensor.size(3) >= patch && tensor.size(4) >= patch)
    {
      if (tensor.size(2) > patch || tensor.size(3) > patch || tensor.size(4) > patch)
      {
        contents.notes.push_back("cropped " + name + " from " + shapeText(tensor.sizes()) +
                                 " to patch " + std::to_string(patch));
      }
      tensor = tensor.slice(2, 0, patch).slice(3, 0, patch).slice(4, 0, patch);
    }
    else if (contents.zeroFillPositions)
    {
      auto full = torch::zeros({1, 1, patch, patch, patch}, tensor.options());
      const auto d = std::min<int64_t>(tensor.size(2), patch);
      const auto h = std::min<int64_t>(tensor.size(3), patch);
      const auto w = std::min<int64_t>(tensor.size(4), patch);
      full.slice(2, 0, d).slice(3, 0, h).slice(4, 0, w).copy_(
          tensor.slice(2, 0, d).slice(3, 0, h).slice(4, 0, w));
      tensor = full;
    }
  }
}

int storedPatchSize(const Contents& contents, int fallback)
{
  for (const auto& [name, tensor] : contents.tensors)
  {
    if (name.find("pos_embed.embedding") != std::string::npos && tensor.dim() == 5 &&
        tensor.size(2) == tensor.size(3) && tensor.size(3) == tensor.size(4) &&
        !contents.zeroFillPositions)
    {
      return static_cast<int>(tensor.size(2));
    }
  }
  return fallback;
}
} // namespace

void loadStateDict(IrisModel& model, const NamedTensors& tensors, const std::string& source)
{
  std::map<std::string, torch::Tensor> expected;
  for (const auto& [name, tensor] : model.namedTensors())
  {
    expected.emplace(name, tensor);
  }
  std::vector<std::string> unexpected, mismatched, missing;
  std::map<std::string, torch::Tensor> given;
  for (const auto& [name, tensor] : tensors)
  {
    given[name] = tensor;
    auto found = expected.find(name);
    if (found == expected.end())
    {
      unexpected.push_back(name + " " + shapeText(tensor.sizes()));
    }
    else if (!found->second.sizes().equals(tensor.sizes()))
    {
      mismatched.push_back(name + ": checkpoint " + shapeText(tensor.sizes()) + ", model " +
                           shapeText(found->second.sizes()));
    }
  }
  for (const auto& [name, tensor] : expected)
  {
    if (!given.count(name))
    {
      missing.push_back(name + " " + shapeText(tensor.sizes()));
    }
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty())
  {
    std::ostringstream message;
    message << source << " does not fit the architecture " << model.config().toJsonString() << ": "
            << missing.size() << " missing, " << unexpected.size() << " unexpected, "
            << mismatched.size() << " shape-mismatched tensor(s); nothing was loaded.";
    for (const auto& [title, names] :
         {std::pair{"Missing", &missing}, std::pair{"Unexpected", &unexpected},
          std::pair{"Shape mismatch", &mismatched}})
    {
      for (const auto& name : *names)
      {
        message << "\n  " << title << ": " << name;
      }
    }
    throw CheckpointError(message.str());
  }
  torch::NoGradGuard noGrad;
  for (const auto& [name, tensor] : tensors)
  {
    expected[name].copy_(tensor);
  }
}

IrisModel modelFromCheckpoint(const PickleValue& root, const std::string& source,
                              const ImportOptions& options, ImportReport* report)
{
  auto contents = readContents(root, source);
  IrisConfig config;
  bool hasPatchSize = false;
  if (options.config)
  {
    config = *options.config;
    hasPatchSize = true;
    contents.configSource = "given";
  }
  else if (contents.config)
  {
    config = IrisConfig::fromJson(*contents.config);
    hasPatchSize = contents.config->contains("patch_size");
  }
  else
  {
    config = IrisConfig::released();
    contents.configSource = "released default (the file has no config)";
  }
  if (options.patchSize)
  {
    config.patchSize = *options.patchSize;
  }
  else if (!hasPatchSize)
  {
    config.patchSize = storedPatchSize(contents, config.patchSize);
  }
  config.validate();
  fitPositionalEmbeddings(contents, config.patchSize);
  IrisModel model(config);
  loadStateDict(model, contents.tensors, source);
  if (contents.memoryBankClasses.size() > static_cast<size_t>(config.tn))
  {
    throw CheckpointError(source + ": " + std::to_string(contents.memoryBankClasses.size()) +
                          " memory-bank class names for a bank of " + std::to_string(config.tn) +
                          " rows");
  }
  model.setMemoryBankClasses(contents.memoryBankClasses);
  if (contents.spacingMm)
  {
    model.setSpacingMm(*contents.spacingMm);
  }
  if (report)
  {
    report->weightsKey = contents.weightsKey;
    report->configSource = contents.configSource;
    report->tensorCount = contents.tensors.size();
    report->parameterCount = 0;
    for (const auto& parameter : model.network().parameters())
    {
      report->parameterCount += parameter.numel();
    }
    report->config = config;
    report->notes = contents.notes;
  }
  return model;
}

void IrisModel::save(const std::filesystem::path& checkpoint, WeightPrecision precision) const
{
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("format", std::string(kFormatName));
  dict.insert("format_version", kFormatVersion);
  dict.insert("config_json", config_.toJsonString());
  dict.insert(kSpacingKey, spacingMm_);
  c10::List<std::string> names;
  for (const auto& name : memoryBankClasses_)
  {
    names.push_back(name);
  }
  dict.insert(kMemoryBankClassesKey, names);
  for (const auto& [name, tensor] : namedTensors())
  {
    auto stored = tensor.detach().to(torch::kCPU).contiguous();
    if (precision == WeightPrecision::Float16 && stored.is_floating_point())
    {
      stored = stored.to(torch::kHalf);
    }
    dict.insert(kStateDictPrefix + name, stored);
  }
  const auto bytes = torch::pickle_save(dict);
  const auto temporary = checkpoint.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out)
    {
      throw CheckpointError("Cannot write checkpoint " + temporary);
    }
  }
  std::filesystem::rename(temporary, checkpoint);
}

IrisModel IrisModel::load(const std::filesystem::path& checkpoint)
{
  return modelFromCheckpoint(readTorchPickle(checkpoint), checkpoint.string(), {});
}

ImportReport importCheckpoint(const std::filesystem::path& input,
                              const std::filesystem::path& output, const ImportOptions& options)
{
  ImportReport report;
  auto model = modelFromCheckpoint(readTorchPickle(input), input.string(), options, &report);
  model.save(output, options.precision);
  return report;
}

CheckpointSummary readCheckpointSummary(const std::filesystem::path& checkpoint)
{
  auto root = readTorchPickle(checkpoint);
  const auto* configJson = root.find("config_json");
  if (!configJson || !configJson->isString())
  {
    throw CheckpointError(checkpoint.string() + " is not an Iris checkpoint (no config_json); "
                                                "convert it with `iris import-checkpoint`");
  }
  Contents contents;
  readMetadata(root, checkpoint.string(), contents);
  CheckpointSummary summary{IrisConfig::fromJsonString(configJson->text),
                            contents.spacingMm,
                            contents.memoryBankClasses,
                            {}};
  TaskEmbedding bank;
  for (int stage = 0; stage < summary.config.numPriorStage; ++stage)
  {
    const auto* prior = root.find(kStateDictPrefix + ("task_prior_" + std::to_string(stage)));
    if (!prior || !prior->isTensor() || prior->tensor.dim() != 3)
    {
      return summary;
    }
    bank.stages.push_back(prior->tensor.to(torch::kFloat32).unsqueeze(0));
  }
  summary.memoryBank = bank.serialize();
  return summary;
}

IrisConfig readCheckpointConfig(const std::filesystem::path& checkpoint)
{
  return readCheckpointSummary(checkpoint).config;
}
} // namespace iris::inference
