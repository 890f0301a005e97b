#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace iris::test
{
// ../shared, or $IRIS_SHARED_DIR when set.
std::filesystem::path sharedDir();
std::filesystem::path sharedDataDir();
std::filesystem::path sourceDir();

// The MSD hippocampus NIfTI image or label of a case, e.g. ("labels", "hippocampus_015").
std::filesystem::path hippocampus(const std::string& kind, const std::string& caseId);

// data/dicom.json, parsed once.
const nlohmann::json& dicomFixtures();
// The fixture entry whose "path" equals `path`; fails the calling test if absent.
const nlohmann::json& dicomFixture(const std::string& path);
} // namespace iris::test
