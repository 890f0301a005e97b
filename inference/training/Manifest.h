#pragma once

// Torch-free reader of the shared data manifest (data/manifest.json).
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::inference::training
{
// Bad training or evaluation input: the message names the file and what is wrong.
class TrainingError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

struct ManifestCase
{
  std::string id;
  std::string dataset;
  std::string modality; // CT, MR, PET ...
  std::filesystem::path image;
  std::filesystem::path label;
  std::string imageFormat;
  std::string labelFormat;
  std::string split;                      // "train", "val" or "" when the manifest gives none
  std::map<uint16_t, std::string> labels; // value -> name
  std::vector<uint16_t> present;          // values found in the label file (empty: unknown)

  // `<dataset>:<label name>`, the memory-bank class name of a label value.
  std::string className(uint16_t value) const;
  // Values that are both named and present (all named ones when presence is unknown).
  std::vector<uint16_t> usableValues() const;
  bool isNifti() const { return imageFormat == "nifti" && labelFormat == "nifti"; }
};

struct Manifest
{
  std::filesystem::path root; // the folder holding manifest.json; case paths are absolute
  std::vector<ManifestCase> cases;

  // Throws TrainingError naming the file when it is missing or malformed.
  static Manifest read(const std::filesystem::path& path);

  // Cases of `datasets` (all when empty) whose split is `split`: "train" also takes the cases of
  // datasets the manifest does not split (they are then training data, never evaluation data),
  // "val" only cases marked val, "all" everything. Only NIfTI image + label pairs.
  std::vector<ManifestCase> select(const std::vector<std::string>& datasets,
                                   const std::string& split) const;
};

// "a,b,c" -> {"a","b","c"} (empty items dropped).
std::vector<std::string> splitList(const std::string& text);
} // namespace iris::inference::training
