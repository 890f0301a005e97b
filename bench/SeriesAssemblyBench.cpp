// Assembles a synthetic 512x512x300 CT series (written to a temporary folder first) into a
// volume and reports the median time and MB/s of 16-bit pixel data, from files and from memory
// (the plugin's path), as JSON (first line) and a Markdown table. Goal: >= 200 MB/s.
#include "dicom/DicomInput.h"
#include "dicom/SeriesReader.h"
#include "dicom/SeriesWriter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <dcmtk/oflog/oflog.h>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace
{
using namespace iris::dicom;

ImageVolume syntheticCt(size_t columns, size_t rows, size_t slices)
{
  ImageVolume image;
  image.geometry.size = {columns, rows, slices};
  image.geometry.spacing = {0.78125, 0.78125, 1.0};
  image.geometry.origin = {-200.0, -200.0, -150.0};
  image.voxels.resize(image.geometry.voxelCount());
  std::mt19937 random(42);
  std::uniform_int_distribution<int> noise(-20, 20);
  for (size_t k = 0; k < slices; ++k)
    for (size_t j = 0; j < rows; ++j)
      for (size_t i = 0; i < columns; ++i)
      {
        const double r = std::hypot(i - columns / 2.0, j - rows / 2.0);
        const float tissue = r < 200 ? (r < 60 ? 300.0f : 40.0f) : -1000.0f;
        image.at(i, j, k) = tissue + static_cast<float>(noise(random));
      }
  return image;
}

struct Timing
{
  double wallSeconds = 0; // median
  double cpuSeconds = 0;  // median process CPU time: what the run costs on a shared machine
};

Timing medianTiming(int runs, const std::function<void()>& run)
{
  std::vector<double> wall, cpu;
  for (int n = 0; n < runs; ++n)
  {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpuStart = std::clock();
    run();
    cpu.push_back(static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}
} // namespace

int main(int argc, char** argv)
{
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const size_t columns = 512, rows = 512, slices = 300;
  const auto folder = std::filesystem::temp_directory_path() /
                      ("iris-bench-series-" + std::to_string(std::random_device{}()));
  const auto files = writeSeries(syntheticCt(columns, rows, slices), folder);
  std::vector<std::string> contents;
  for (const auto& file : files)
    contents.push_back(readFileBytes(file));
  std::vector<DicomBuffer> buffers;
  for (size_t n = 0; n < contents.size(); ++n)
    buffers.push_back({files[n].filename().string(), contents[n]});

  const double pixelMegabytes = columns * rows * slices * 2 / 1e6;
  size_t checked = 0;
  const Timing fromFiles =
      medianTiming(runs, [&] { checked = readSeriesFolder(folder).image.voxels.size(); });
  const Timing fromMemory =
      medianTiming(runs, [&] { checked = readSeriesBuffers(buffers).image.voxels.size(); });
  std::filesystem::remove_all(folder);
  if (checked != columns * rows * slices)
  {
    std::fprintf(stderr, "assembled %zu voxels instead of %zu\n", checked, columns * rows * slices);
    return 1;
  }
  const struct
  {
    const char* name;
    Timing timing;
  } results[] = {{"files (page cache)", fromFiles}, {"memory buffers", fromMemory}};
  std::printf("{\"benchmark\": \"series_assembly\", \"grid\": [512, 512, 300], \"bits\": 16, "
              "\"pixel_MB\": %.1f, \"runs\": %d, \"goal_MB_per_s\": 200, \"results\": [",
              pixelMegabytes, runs);
  for (size_t n = 0; n < 2; ++n)
    std::printf("%s{\"case\": \"%s\", \"median_s\": %.4f, \"MB_per_s\": %.1f, "
                "\"median_cpu_s\": %.4f, \"MB_per_cpu_s\": %.1f}",
                n ? ", " : "", results[n].name, results[n].timing.wallSeconds,
                pixelMegabytes / results[n].timing.wallSeconds, results[n].timing.cpuSeconds,
                pixelMegabytes / results[n].timing.cpuSeconds);
  std::printf("]}\n\n| input | median (s) | MB/s | median CPU (s) | MB per CPU s | goal (wall) |\n"
              "|---|---|---|---|---|---|\n");
  for (const auto& r : results)
  {
    const double rate = pixelMegabytes / r.timing.wallSeconds;
    std::printf("| %s | %.3f | %.0f | %.3f | %.0f | %s |\n", r.name, r.timing.wallSeconds, rate,
                r.timing.cpuSeconds, pixelMegabytes / r.timing.cpuSeconds,
                rate >= 200 ? "met (>= 200 MB/s)" : "MISSED");
  }
  return 0;
}
