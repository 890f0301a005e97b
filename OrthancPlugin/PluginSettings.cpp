#include "OrthancPlugin/PluginSettings.h"

#include "OrthancPlugin/TaskDefinition.h"
#include "dicom/JsonInteger.h"
#include "inference/DeviceName.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

constexpr const char* kSection = "Iris";
constexpr int kMaxThreads = 256;
constexpr int kMaxWorkers = 64;

class SectionReader
{
public:
  SectionReader(const Json& section, std::vector<std::string>& warnings)
      : section_(section), warnings_(warnings)
  {
  }

  std::string string(const char* key, const std::string& fallback)
  {
    if (!section_.contains(key))
    {
      return fallback;
    }
    const Json& value = section_.at(key);
    if (!value.is_string() || value.get<std::string>().empty())
    {
      warn(key, "expected a non-empty string, got " + value.dump(), "\"" + fallback + "\"");
      return fallback;
    }
    return value.get<std::string>();
  }

  bool boolean(const char* key, bool fallback)
  {
    if (!section_.contains(key))
    {
      return fallback;
    }
    const Json& value = section_.at(key);
    if (!value.is_boolean())
    {
      warn(key, "expected true or false, got " + value.dump(), fallback ? "true" : "false");
      return fallback;
    }
    return value.get<bool>();
  }

  int integer(const char* key, int fallback, int minimum, int maximum)
  {
    if (!section_.contains(key))
    {
      return fallback;
    }
    const Json& value = section_.at(key);
    if (!dicom::isIntegerBetween(value, minimum, maximum))
    {
      warn(key,
           "expected an integer from " + std::to_string(minimum) + " to " +
               std::to_string(maximum) + ", got " + value.dump(),
           std::to_string(fallback));
      return fallback;
    }
    return value.get<int>();
  }

  void warn(const char* key, const std::string& problem, const std::string& fallback)
  {
    warnings_.push_back(std::string(kSection) + "." + key + ": " + problem + "; using " + fallback);
  }

private:
  const Json& section_;
  std::vector<std::string>& warnings_;
};

std::filesystem::path resolve(const std::filesystem::path& folder, const std::string& value)
{
  const std::filesystem::path path(value);
  return path.is_absolute() || folder.empty() ? path : folder / path;
}
} // namespace

SettingsResult parsePluginSettings(const std::string& orthancConfigurationJson,
                                   const SettingsDefaults& defaults)
{
  SettingsResult result;
  Json configuration = Json::parse(orthancConfigurationJson, nullptr, false, true);
  if (configuration.is_discarded() || !configuration.is_object())
  {
    result.warnings.push_back("The Orthanc configuration is not a JSON object; the Iris plugin "
                              "uses its defaults");
    configuration = Json::object();
  }

  Json section = Json::object();
  if (configuration.contains(kSection))
  {
    if (configuration[kSection].is_object())
    {
      section = configuration[kSection];
    }
    else
    {
      result.warnings.push_back(std::string(kSection) +
                                ": expected an object; the Iris plugin uses its defaults");
    }
  }

  std::string storageFolder = "OrthancStorage";
  if (configuration.contains("StorageDirectory") && configuration["StorageDirectory"].is_string())
  {
    storageFolder = configuration["StorageDirectory"].get<std::string>();
  }

  SectionReader reader(section, result.warnings);
  PluginSettings& settings = result.settings;
  const auto defaultDatabase =
      resolve(defaults.configurationFolder, storageFolder) / "iris" / "iris.sqlite";
  settings.databasePath =
      resolve(defaults.configurationFolder, reader.string("DatabasePath", defaultDatabase));
  settings.modelPath =
      resolve(defaults.configurationFolder, reader.string("ModelPath", defaults.modelPath));

  settings.device = reader.string("Device", "auto");
  if (!inference::isValidDeviceName(settings.device))
  {
    reader.warn("Device", "expected \"auto\", \"cpu\" or \"cuda\", got \"" + settings.device + "\"",
                "\"auto\"");
    settings.device = "auto";
  }
  settings.threads = reader.integer("Threads", defaults.threads, 1, kMaxThreads);
  settings.workers = reader.integer("Workers", 1, 1, kMaxWorkers);
  settings.maxAttempts = reader.integer("MaxAttempts", 3, 1, 100);
  settings.retryDelaySeconds = reader.integer("RetryDelaySeconds", 10, 0, 24 * 3600);
  settings.shutdownGraceSeconds = reader.integer("ShutdownGraceSeconds", 10, 0, 3600);
  settings.maxVolumeVoxels =
      size_t(reader.integer("MaxVolumeMegavoxels", 256, 1, 16 * 1024)) << 20;
  settings.processExistingSeries = reader.boolean("ProcessExistingSeries", false);
  settings.defaultStrategy = reader.string("DefaultStrategy", "ensemble");
  if (!isKnownStrategy(settings.defaultStrategy))
  {
    reader.warn("DefaultStrategy",
                "expected one-shot, ensemble, retrieval, tuning or memory-bank, got \"" +
                    settings.defaultStrategy + "\"",
                "\"ensemble\"");
    settings.defaultStrategy = "ensemble";
  }
  settings.configurationFolder = defaults.configurationFolder;
  settings.statusMetadataDeclared = configuration.contains("UserMetadata") &&
                                    configuration["UserMetadata"].is_object() &&
                                    configuration["UserMetadata"].contains(kStatusMetadata);
  if (section.contains("Tasks"))
  {
    if (section["Tasks"].is_array())
    {
      settings.tasks = section["Tasks"];
      for (auto& task : settings.tasks)
      {
        applyDefaultStrategy(task, settings.defaultStrategy);
      }
    }
    else
    {
      reader.warn("Tasks", "expected a list of task documents, got " + section["Tasks"].dump(),
                  "no configured tasks");
    }
  }
  return result;
}

size_t inferenceWorkerCount(const PluginSettings& settings, const std::string& selectedDevice,
                            int gpuCount)
{
  if (selectedDevice == "cuda")
  {
    return static_cast<size_t>(std::max(1, gpuCount));
  }
  return static_cast<size_t>(settings.workers);
}
} // namespace iris::plugin
