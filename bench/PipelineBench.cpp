// The pipeline against a real Orthanc with the plugin and the shipped model:
//  - latency from stable to SEG stored (the job is created when the series turns stable and
//    finishes once the SEG is stored), median and p95, for the demo series;
//  - series per hour on this machine, for a batch sent at once;
//  - storescu ingest throughput of a 512x512x300 CT with the plugin loaded against without it;
//  - peak RSS of Orthanc while the plugin segments that CT.
// Usage: [IRIS_MODEL=<checkpoint>] iris_bench_pipeline [--runs N] [--batch N] [--ingest-runs N]
//        [--skip-ct] [--ct-spacing-mm MM (default 3)]
// Prints JSON, then a Markdown table.
#include "dicom/Nifti.h"
#include "dicom/SeriesWriter.h"
#include "storage/Database.h"
#include "storage/JobStore.h"
#include "tests/support/OrthancServer.h"
#include "tests/support/TempDir.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

namespace fs = std::filesystem;
using iris::test::OrthancOptions;
using iris::test::OrthancServer;
using nlohmann::json;

namespace
{
const fs::path kRepository = IRIS_SOURCE_DIR;
const fs::path kShared = IRIS_SHARED_DIR;

json referenceEntry(const fs::path& image, const fs::path& labels, const json& classes)
{
  return {{"image", image.string()}, {"labels", labels.string()}, {"classes", classes}};
}

json hippocampusTask()
{
  const json classes{{"Hippocampus anterior", 1}, {"Hippocampus posterior", 2}};
  json references = json::array();
  for (const char* id : {"001", "003", "004"})
  {
    const auto base = kRepository / "config/demo" / (std::string("reference-") + id);
    references.push_back(
        referenceEntry(base.string() + "-image.nii.gz", base.string() + "-labels.nii.gz", classes));
  }
  return {{"id", "hippocampus"},
          {"match", {{"Modality", "MR"}}},
          {"strategy", "ensemble"},
          {"classes", {{{"name", "Hippocampus anterior"}}, {{"name", "Hippocampus posterior"}}}},
          {"references", references}};
}

// At the model's own 1 mm a 512x512x300 CT takes thousands of sliding windows on the CPU; large
// organs are segmented at a task-level voxel size (the task's "spacingMm").
json liverTask(double spacingMm)
{
  const auto folder = kShared / "data/totalsegmentator";
  return {{"id", "liver-ct"},
          {"match", {{"Modality", "CT"}}},
          {"strategy", "one-shot"},
          {"spacingMm", spacingMm},
          {"classes", {{{"name", "Liver"}}}},
          {"references",
           {referenceEntry(folder / "example_ct.nii.gz",
                           folder / "example_seg_fast_force_split.nii.gz", {{"Liver", 5}})}}};
}

OrthancOptions withTasks(const json& tasks, bool plugin = true)
{
  OrthancOptions options;
  options.loadPlugin = plugin;
  options.configuration = {
      {"Iris",
       {{"ModelPath", (kRepository / "models/iris-default.pt").string()}, {"Tasks", tasks}}}};
  return options;
}

double seconds(std::chrono::steady_clock::time_point since)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double percentile(std::vector<double> values, double fraction)
{
  std::sort(values.begin(), values.end());
  const double position = fraction * static_cast<double>(values.size() - 1);
  const size_t low = static_cast<size_t>(std::floor(position));
  const size_t high = std::min(values.size() - 1, low + 1);
  return values[low] + (position - static_cast<double>(low)) * (values[high] - values[low]);
}

// Waits until `count` jobs have finished (succeeded or failed) and returns them all.
std::vector<iris::storage::Job> waitForFinishedJobs(const OrthancServer& server, size_t count,
                                                    double timeoutSeconds)
{
  iris::storage::Database database(
      server.configuration()["Iris"]["DatabasePath"].get<std::string>());
  iris::storage::JobStore jobs(database);
  const auto start = std::chrono::steady_clock::now();
  while (true)
  {
    iris::storage::JobFilter filter;
    filter.limit = 100000;
    auto all = jobs.list(filter);
    const size_t finished =
        std::count_if(all.begin(), all.end(),
                      [](const auto& job)
                      {
                        return job.state == iris::storage::JobState::Succeeded ||
                               job.state == iris::storage::JobState::Failed;
                      });
    if (finished >= count)
    {
      for (const auto& job : all)
        if (job.state == iris::storage::JobState::Failed)
          throw std::runtime_error("job " + std::to_string(job.id) +
                                   " failed: " + job.error.value_or("?"));
      return all;
    }
    if (seconds(start) > timeoutSeconds)
      throw std::runtime_error("only " + std::to_string(finished) + " of " + std::to_string(count) +
                               " jobs finished in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

double jobSeconds(const iris::storage::Job& job)
{
  return static_cast<double>(job.finishedAt.value_or(job.updatedAt) - job.createdAt) / 1000.0;
}

// 512x512x300 CT on the example CT's extent (trilinear), the size the RSS goal names.
iris::dicom::ImageVolume largeCt()
{
  const auto small =
      iris::dicom::readNiftiImage(kShared / "data/totalsegmentator/example_ct.nii.gz");
  iris::dicom::ImageVolume large;
  large.geometry = small.geometry;
  large.geometry.size = {512, 512, 300};
  for (int a = 0; a < 3; ++a)
    large.geometry.spacing[a] =
        small.geometry.spacing[a] * small.geometry.size[a] / large.geometry.size[a];
  large.voxels.resize(large.geometry.voxelCount());
  const auto sample = [&small](double x, double y, double z)
  {
    const auto& size = small.geometry.size;
    const auto clampIndex = [](double v, size_t n)
    { return std::min(static_cast<double>(n - 1), std::max(0.0, v)); };
    x = clampIndex(x, size[0]), y = clampIndex(y, size[1]), z = clampIndex(z, size[2]);
    const size_t i = std::min<size_t>(size[0] - 2, static_cast<size_t>(x));
    const size_t j = std::min<size_t>(size[1] - 2, static_cast<size_t>(y));
    const size_t k = std::min<size_t>(size[2] - 2, static_cast<size_t>(z));
    const double fx = x - i, fy = y - j, fz = z - k;
    double value = 0.0;
    for (int c = 0; c < 8; ++c)
    {
      const double weight = (c & 1 ? fx : 1 - fx) * (c & 2 ? fy : 1 - fy) * (c & 4 ? fz : 1 - fz);
      value += weight * small.at(i + (c & 1), j + ((c >> 1) & 1), k + ((c >> 2) & 1));
    }
    return value;
  };
  for (size_t k = 0; k < 300; ++k)
    for (size_t j = 0; j < 512; ++j)
      for (size_t i = 0; i < 512; ++i)
        large.at(i, j, k) = static_cast<float>(
            std::round(sample((i + 0.5) * small.geometry.size[0] / 512.0 - 0.5,
                              (j + 0.5) * small.geometry.size[1] / 512.0 - 0.5,
                              (k + 0.5) * small.geometry.size[2] / 300.0 - 0.5)));
  large.geometry.origin = small.geometry.voxelToPatient(
      {0.5 * small.geometry.size[0] / 512.0 - 0.5, 0.5 * small.geometry.size[1] / 512.0 - 0.5,
       0.5 * small.geometry.size[2] / 300.0 - 0.5});
  return large;
}

long peakRssKb(pid_t pid)
{
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

int argument(int argc, char** argv, const std::string& name, int fallback)
{
  for (int n = 1; n + 1 < argc; ++n)
    if (argv[n] == name)
      return std::max(1, std::atoi(argv[n + 1]));
  return fallback;
}
} // namespace

int main(int argc, char** argv)
try
{
  const int runs = argument(argc, argv, "--runs", 5);
  const int batch = argument(argc, argv, "--batch", 10);
  const int ingestRuns = argument(argc, argv, "--ingest-runs", 3);
  const bool skipCt = std::find(argv, argv + argc, std::string("--skip-ct")) != argv + argc;
  const double ctSpacingMm = argument(argc, argv, "--ct-spacing-mm", 3);
  iris::test::TempDir temp;
  const auto query =
      iris::dicom::readNiftiImage(kRepository / "config/demo/query-015-image.nii.gz");
  iris::dicom::SeriesWriteOptions mr;
  mr.modality = "MR";
  json report{{"benchmark", "pipeline"}, {"runs", runs}, {"batch", batch}};

  // Latency, one series at a time; then a batch sent at once.
  OrthancServer hippocampus(withTasks(json::array({hippocampusTask()})));
  std::vector<double> latencies;
  for (int run = 0; run < runs; ++run)
  {
    const auto folder = temp / ("latency-" + std::to_string(run));
    iris::dicom::writeSeries(query, folder, mr);
    hippocampus.storescu(folder);
    auto jobs = waitForFinishedJobs(hippocampus, static_cast<size_t>(run + 1), 600);
    const auto newest = std::max_element(jobs.begin(), jobs.end(),
                                         [](const auto& a, const auto& b) { return a.id < b.id; });
    latencies.push_back(jobSeconds(*newest));
    std::cerr << "latency run " << run + 1 << ": " << latencies.back() << " s\n";
  }
  for (int n = 0; n < batch; ++n)
    iris::dicom::writeSeries(query, temp / "batch" / std::to_string(n), mr);
  hippocampus.storescu(temp / "batch");
  const auto all = waitForFinishedJobs(hippocampus, static_cast<size_t>(runs + batch), 3600);
  int64_t firstCreated = INT64_MAX, lastFinished = 0;
  for (const auto& job : all)
    if (job.id > runs)
    {
      firstCreated = std::min(firstCreated, job.createdAt);
      lastFinished = std::max(lastFinished, job.finishedAt.value_or(job.updatedAt));
    }
  const double batchSeconds = static_cast<double>(lastFinished - firstCreated) / 1000.0;
  report["latency_s"] = {{"median", percentile(latencies, 0.5)},
                         {"p95", percentile(latencies, 0.95)},
                         {"all", latencies}};
  report["series_per_hour"] = batch / batchSeconds * 3600.0;
  report["batch_seconds"] = batchSeconds;
  // Each phase is reported as soon as it is measured: the CT phase can take long on a CPU.
  std::cerr << "latency " << report["latency_s"].dump() << "\nseries per hour "
            << report["series_per_hour"] << " (batch of " << batch << " in " << batchSeconds
            << " s)\n";
  hippocampus.stop();

  if (!skipCt)
  {
    const auto ct = largeCt();
    const auto ctFolder = temp / "ct";
    iris::dicom::writeSeries(ct, ctFolder);
    // Ingest: a fresh Orthanc per run, so that no run meets instances already stored. The
    // plugin's task matches only MR, so only its change callback and watcher are measured.
    std::vector<double> with, without;
    for (int run = 0; run < ingestRuns; ++run)
      for (const bool plugin : {false, true})
      {
        OrthancServer server(withTasks(json::array({hippocampusTask()}), plugin));
        const auto start = std::chrono::steady_clock::now();
        const auto sent = server.storescu(ctFolder);
        if (sent.exitCode != 0)
          throw std::runtime_error("storescu failed: " + sent.output);
        (plugin ? with : without).push_back(seconds(start));
      }
    const double megabytes = 512.0 * 512 * 300 * 2 / 1e6;
    report["ingest"] = {{"megabytes", megabytes},
                        {"median_s_with_plugin", percentile(with, 0.5)},
                        {"median_s_without_plugin", percentile(without, 0.5)},
                        {"throughput_ratio", percentile(without, 0.5) / percentile(with, 0.5)}};
    std::cerr << "ingest " << report["ingest"].dump() << "\n";

    OrthancServer liver(withTasks(json::array({liverTask(ctSpacingMm)})));
    liver.storescu(ctFolder);
    const auto ctJobs = waitForFinishedJobs(liver, 1, 3600);
    report["ct_512x512x300"] = {{"task_spacing_mm", ctSpacingMm},
                                {"job_seconds", jobSeconds(ctJobs.front())},
                                {"orthanc_peak_rss_mb", peakRssKb(liver.pid()) / 1024.0}};
  }

  std::cout << report.dump(2) << "\n\n| measure | value | goal |\n|---|---|---|\n";
  std::printf("| stable to SEG stored, median (demo series) | %.2f s | |\n",
              report["latency_s"]["median"].get<double>());
  std::printf("| stable to SEG stored, p95 | %.2f s | |\n",
              report["latency_s"]["p95"].get<double>());
  std::printf("| series per hour (batch of %d) | %.0f | |\n", batch,
              report["series_per_hour"].get<double>());
  if (!skipCt)
  {
    const double ratio = report["ingest"]["throughput_ratio"];
    std::printf(
        "| storescu throughput, plugin / no plugin (512x512x300 CT) | %.3f | >= 0.95 %s |\n", ratio,
        ratio >= 0.95 ? "met" : "missed");
    const double rss = report["ct_512x512x300"]["orthanc_peak_rss_mb"];
    std::printf("| Orthanc peak RSS segmenting a 512x512x300 CT | %.0f MB | <= 3 GB %s |\n", rss,
                rss <= 3072 ? "met" : "missed");
    std::printf("| stable to SEG stored, 512x512x300 CT (task at %.1f mm) | %.1f s | |\n",
                ctSpacingMm, report["ct_512x512x300"]["job_seconds"].get<double>());
  }
  return 0;
}
catch (const std::exception& error)
{
  std::cerr << "iris_bench_pipeline: " << error.what() << "\n";
  return 1;
}
