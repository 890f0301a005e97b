#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::plugin
{
// The "Iris" section of the Orthanc configuration, after validation. Every field has a
// documented default (config/orthanc-iris.example.json).
struct PluginSettings
{
  std::filesystem::path databasePath;
  std::filesystem::path modelPath;
  std::string device = "auto";
  int threads = 1;
  // Task documents declared in the configuration, upserted at start-up (validated there).
  nlohmann::json tasks = nlohmann::json::array();
};

struct SettingsResult
{
  PluginSettings settings;
  // One line per key that was missing a sensible value, naming the key and the default taken.
  std::vector<std::string> warnings;
};

struct SettingsDefaults
{
  std::filesystem::path configurationFolder; // relative paths are resolved against it
  std::filesystem::path modelPath;
  int threads = 1;
};

// Parses the whole Orthanc configuration (JSON text). Never throws: unreadable values fall back
// to defaults, with a warning naming the key.
SettingsResult parsePluginSettings(const std::string& orthancConfigurationJson,
                                   const SettingsDefaults& defaults);
} // namespace iris::plugin
