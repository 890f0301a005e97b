#include "inference/training/Manifest.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace iris::inference::training
{
std::string ManifestCase::className(uint16_t value) const
{
  const auto found = labels.find(value);
  return dataset + ":" + (found != labels.end() ? found->second : std::to_string(value));
}

std::vector<uint16_t> ManifestCase::usableValues() const
{
  std::vector<uint16_t> values;
  for (const auto& [value, name] : labels)
  {
    if (present.empty() || std::find(present.begin(), present.end(), value) != present.end())
    {
      values.push_back(value);
    }
  }
  return values;
}

Manifest Manifest::read(const std::filesystem::path& path)
{
  std::ifstream file(path);
  if (!file)
  {
    throw TrainingError("Cannot open the manifest " + path.string());
  }
  nlohmann::json json;
  try
  {
    file >> json;
  }
  catch (const nlohmann::json::exception& error)
  {
    throw TrainingError("The manifest " + path.string() + " is not valid JSON: " + error.what());
  }
  if (!json.is_object() || !json.contains("entries") || !json["entries"].is_array())
  {
    throw TrainingError("The manifest " + path.string() + " has no \"entries\" array");
  }
  Manifest manifest;
  manifest.root = std::filesystem::absolute(path).parent_path();
  for (const auto& entry : json["entries"])
  {
    try
    {
      ManifestCase item;
      item.id = entry.at("id").get<std::string>();
      item.dataset = entry.at("dataset").get<std::string>();
      item.modality = entry.value("modality", "auto");
      item.image = manifest.root / entry.at("image").get<std::string>();
      item.label = manifest.root / entry.at("label").get<std::string>();
      item.imageFormat = entry.value("image_format", "");
      item.labelFormat = entry.value("label_format", "");
      if (entry.contains("split") && entry["split"].is_string())
      {
        item.split = entry["split"].get<std::string>();
      }
      const auto labels = entry.value("labels", nlohmann::json::object());
      for (const auto& [key, name] : labels.items())
      {
        item.labels[static_cast<uint16_t>(std::stoul(key))] = name.get<std::string>();
      }
      if (entry.contains("label_values_present") && entry["label_values_present"].is_array())
      {
        item.present = entry["label_values_present"].get<std::vector<uint16_t>>();
      }
      manifest.cases.push_back(std::move(item));
    }
    catch (const std::exception& error)
    {
      throw TrainingError("The manifest " + path.string() + " has a malformed entry " +
                          entry.dump().substr(0, 200) + ": " + error.what());
    }
  }
  return manifest;
}

std::vector<ManifestCase> Manifest::select(const std::vector<std::string>& datasets,
                                           const std::string& split) const
{
  std::vector<ManifestCase> selected;
  for (const auto& item : cases)
  {
    if (!datasets.empty() &&
        std::find(datasets.begin(), datasets.end(), item.dataset) == datasets.end())
    {
      continue;
    }
    const bool wanted =
        split == "all" || item.split == split || (split == "train" && item.split.empty());
    if (wanted && item.isNifti())
    {
      selected.push_back(item);
    }
  }
  return selected;
}

std::vector<std::string> splitList(const std::string& text)
{
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
  {
    if (!item.empty())
    {
      items.push_back(item);
    }
  }
  return items;
}
} // namespace iris::inference::training
