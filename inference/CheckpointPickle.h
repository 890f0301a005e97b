#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <torch/torch.h>
#include <utility>
#include <vector>

namespace iris::inference
{
// A value read from a `torch.save` file. LibTorch's own unpickler turns Python's OrderedDict
// (every state_dict) into None, so we read the pickle ourselves: containers, scalars, strings,
// tensors, and unknown classes kept as opaque objects so that optimizer or scheduler state
// never stops a load.
struct PickleValue
{
  enum class Kind
  {
    None,
    Bool,
    Int,
    Float,
    String,
    Bytes,
    List,
    Tuple,
    Dict,
    Tensor,
    Global, // a class or function reference, `module.name` in `text`
    Object  // an instance of an unknown class: `text` its class, `items` its args, `state`
  };
  using Entries = std::vector<std::pair<PickleValue, PickleValue>>;

  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;
  std::shared_ptr<std::vector<PickleValue>> items;
  std::shared_ptr<Entries> entries;
  std::shared_ptr<PickleValue> state;
  torch::Tensor tensor;

  bool isDict() const { return kind == Kind::Dict; }
  bool isString() const { return kind == Kind::String; }
  bool isTensor() const { return kind == Kind::Tensor; }
  // The value stored under a string key of a dict, or nullptr.
  const PickleValue* find(const std::string& key) const;
  std::string describe() const; // a kind name for error messages
};

// Reads a zip-format `torch.save` file (Python or torch::pickle_save). Tensors land on the CPU
// with their stored dtype. Throws CheckpointError (Checkpoint.h) naming the file on failure.
PickleValue readTorchPickle(const std::filesystem::path& path);
} // namespace iris::inference
