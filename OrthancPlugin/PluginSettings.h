#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::plugin
{
// The series metadata holding a series' Iris status; declared in Orthanc's "UserMetadata".
constexpr const char* kStatusMetadata = "IrisStatus";

// The "Iris" section of the Orthanc configuration, after validation. Every field has a
// documented default (config/orthanc-iris.example.json).
struct PluginSettings
{
  std::filesystem::path databasePath;
  std::filesystem::path modelPath;
  std::string device = "auto";
  int threads = 1;
  // Inference workers on the CPU (on CUDA: one per GPU, whatever this says).
  int workers = 1;
  // Attempts per job before it is "failed", and the back-off before the second one (then x3).
  int maxAttempts = 3;
  int retryDelaySeconds = 10;
  // How long Orthanc's shutdown waits for a running job before abandoning it to the next start.
  int shutdownGraceSeconds = 10;
  // Series with more voxels fail their job before any voxel memory is taken.
  size_t maxVolumeVoxels = size_t{256} << 20;
  // Whether the plugin's first start on an archive queues the series already in it (replaying
  // Orthanc's change log from its start), rather than only those that become stable from then on.
  bool processExistingSeries = false;
  // The strategy of tasks that name none.
  std::string defaultStrategy = "ensemble";
  // Whether the Orthanc configuration declares UserMetadata "IrisStatus" (series status).
  bool statusMetadataDeclared = false;
  std::filesystem::path configurationFolder; // relative reference paths resolve against it
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

// Inference workers: one per visible GPU on "cuda" (worker i uses GPU i), else Iris.Workers.
size_t inferenceWorkerCount(const PluginSettings& settings, const std::string& selectedDevice,
                            int gpuCount);
} // namespace iris::plugin
