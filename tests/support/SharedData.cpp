#include "tests/support/SharedData.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace iris::test
{
std::filesystem::path sharedDir()
{
  const char* overridden = std::getenv("IRIS_SHARED_DIR");
  return overridden && *overridden ? std::filesystem::path(overridden)
                                   : std::filesystem::path(IRIS_SHARED_DIR);
}

std::filesystem::path sharedDataDir()
{
  return sharedDir() / "data";
}

std::filesystem::path sourceDir()
{
  return IRIS_SOURCE_DIR;
}

std::filesystem::path hippocampus(const std::string& kind, const std::string& caseId)
{
  return sharedDataDir() / "msd_hippocampus" / kind / (caseId + ".nii.gz");
}

const nlohmann::json& dicomFixtures()
{
  static const nlohmann::json fixtures = [] {
    const auto path = sharedDataDir() / "dicom.json";
    std::ifstream in(path);
    if (!in)
    {
      throw std::runtime_error("Cannot read " + path.string());
    }
    return nlohmann::json::parse(in).at("fixtures");
  }();
  return fixtures;
}

const nlohmann::json& dicomFixture(const std::string& path)
{
  for (const auto& fixture : dicomFixtures())
  {
    if (fixture.at("path") == path)
    {
      return fixture;
    }
  }
  throw std::runtime_error("No fixture " + path + " in dicom.json");
}
} // namespace iris::test
