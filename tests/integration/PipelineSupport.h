#pragma once

#include "dicom/SegSource.h"
#include "storage/Database.h"
#include "storage/Job.h"
#include "tests/support/OrthancServer.h"
#include "tests/support/TempDir.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::test
{
constexpr const char* kQueryCase = "hippocampus_015"; // validation split
constexpr int kFastPatch = 32;                        // tiny network, ~0.5 s per hippocampus
constexpr int kSlowPatch = 128; // tiny network, ~10 s per hippocampus: time to kill it

// A checkpoint of the tiny parity network (random weights: mechanics, not quality), imported
// once per test process with `iris import-checkpoint` at the given patch size.
const std::filesystem::path& tinyModel(int patchSize);

// A task segmenting both hippocampus labels of MR series, by example from training cases.
nlohmann::json hippocampusTask(const std::string& strategy = "one-shot",
                               const std::vector<std::string>& referenceCases = {
                                   "hippocampus_001"});

// Copies hippocampus_001's image and labels to refs/ in the server's configuration folder, the
// only place the admin API takes NIfTI references from.
void copyReferenceToConfigurationFolder(const OrthancServer& orthanc);
// hippocampusTask() under `id`, its reference the copy above.
nlohmann::json configurationFolderTask(const std::string& id);

// Expects an admin API error: `status` and an {"error"} answer containing `fragment`.
void expectErrorAnswer(const HttpResponse& response, int status, const std::string& fragment);

// Orthanc with the plugin running `tasks` on `model` on the CPU; `iris` is merged over the
// "Iris" section (Workers, MaxAttempts, ...).
OrthancOptions pipelineOptions(const std::filesystem::path& model, const nlohmann::json& tasks,
                               const nlohmann::json& iris = nlohmann::json::object());

// Writes the case's image as a new MR series (iris nifti2dicom's writer) and reads it back.
dicom::SegSource writeQuerySeries(const std::string& caseId, const std::filesystem::path& folder);

// Orthanc's id of the series with this SeriesInstanceUID; empty when absent.
std::string orthancSeriesId(const OrthancServer& orthanc, const std::string& seriesInstanceUid);

// Polls every 200 ms until `condition` holds; false after `timeout`.
bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds timeout);

// The plugin's SQLite database, opened beside the running server.
std::filesystem::path pluginDatabase(const OrthancServer& orthanc);
std::vector<storage::Job> jobsOfSeries(const OrthancServer& orthanc, const std::string& seriesId);
std::vector<storage::Job> jobsInState(const OrthancServer& orthanc, storage::JobState state);
int64_t countRows(const OrthancServer& orthanc, const std::string& sql, const std::string& value);

// Waits for the series' job to end (succeeded or failed) and returns it; fails the test when
// it does not within `timeout`.
storage::Job finishedJob(const OrthancServer& orthanc, const std::string& seriesId,
                         std::chrono::seconds timeout);

// The SEG series (Orthanc ids) in the study of `series`, each checked by expectConformantSeg:
// every SEG a test looks at goes through dciodvfy.
std::vector<std::string> segsBeside(const OrthancServer& orthanc, const std::string& series);
// Expects dciodvfy to report no error for each instance of the SEG series.
void expectConformantSeg(const OrthancServer& orthanc, const std::string& segSeries);
// The one instance of a SEG series, and its bytes.
std::string segInstanceOf(const OrthancServer& orthanc, const std::string& segSeries);
std::vector<uint8_t> instanceBytes(const OrthancServer& orthanc, const std::string& instance);

// Writes kQueryCase as a new series in dir / name, sends it with storescu, and returns its
// Orthanc id and its source.
std::pair<std::string, dicom::SegSource> sendQuery(const OrthancServer& orthanc, const TempDir& dir,
                                                   const std::string& name);

// What an admin API suite shares (start-up and the query series cost seconds): Orthanc with the
// tiny model and no task (`iris` merged over pipelineOptions' "Iris"), the reference copied into
// its configuration folder, and kQueryCase sent as a series.
struct QueryServer
{
  explicit QueryServer(const nlohmann::json& iris = nlohmann::json::object());

  OrthancServer orthanc;
  TempDir queryDir;
  std::string series; // Orthanc id
  dicom::SegSource source;
};
} // namespace iris::test
