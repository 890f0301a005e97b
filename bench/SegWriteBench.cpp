// Writes a 5-segment BINARY SEG for a synthetic 512x512x300 CT grid and reports the median
// time, as JSON (first line) and a Markdown table. Goal: within 1 s per 300 frames.
#include "dicom/SegSource.h"
#include "dicom/SegTerminology.h"
#include "dicom/SegWriter.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <dcmtk/oflog/oflog.h>
#include <string>
#include <vector>

namespace
{
using namespace iris::dicom;

SeriesVolume syntheticCtSeries(size_t columns, size_t rows, size_t slices)
{
  SeriesVolume series;
  auto& grid = series.image.geometry;
  grid.size = {columns, rows, slices};
  grid.spacing = {0.78125, 0.78125, 1.0};
  grid.origin = {-200.0, -200.0, -150.0};
  series.studyInstanceUid = "1.2.826.0.1.3680043.10.1338.1";
  series.seriesInstanceUid = "1.2.826.0.1.3680043.10.1338.2";
  series.frameOfReferenceUid = "1.2.826.0.1.3680043.10.1338.3";
  series.modality = "CT";
  series.patientId = "BENCH";
  series.patientName = "Bench^Seg";
  for (size_t k = 0; k < slices; ++k)
    series.slices.push_back(
        {"1.2.826.0.1.3680043.10.1338.4." + std::to_string(k + 1), "1.2.840.10008.5.1.4.1.1.2", 0});
  return series;
}

// Five ellipsoids of organ-like extent (60 to 220 slices each), overlapping nothing.
LabelVolume syntheticOrgans(const VolumeGeometry& grid)
{
  struct Ellipsoid
  {
    double ci, cj, ck, ri, rj, rk;
  };
  const Ellipsoid organs[5] = {{150, 250, 150, 90, 110, 110},
                               {380, 200, 170, 50, 60, 60},
                               {300, 330, 120, 40, 30, 40},
                               {256, 380, 150, 20, 20, 110},
                               {370, 340, 200, 35, 35, 30}};
  LabelVolume labels{grid, std::vector<uint16_t>(grid.voxelCount(), 0)};
  for (size_t k = 0; k < grid.size[2]; ++k)
    for (size_t j = 0; j < grid.size[1]; ++j)
      for (size_t i = 0; i < grid.size[0]; ++i)
        for (uint16_t n = 0; n < 5; ++n)
        {
          const auto& e = organs[n];
          const double di = (i - e.ci) / e.ri, dj = (j - e.cj) / e.rj, dk = (k - e.ck) / e.rk;
          if (di * di + dj * dj + dk * dk <= 1.0)
          {
            labels.at(i, j, k) = static_cast<uint16_t>(n + 1);
            break;
          }
        }
  return labels;
}

struct Result
{
  std::string name;
  size_t frames = 0;
  size_t bytes = 0;
  double medianSeconds = 0;
  double medianCpuSeconds = 0; // this process's CPU time: the wall time suffers on a busy machine
};

Result measure(const std::string& name, const LabelVolume& labels,
               const std::vector<SegmentDescription>& segments, const SeriesVolume& series,
               const SegSourceAttributes& attributes, bool omitEmpty, int runs)
{
  SegWriteOptions options;
  options.omitEmptyFrames = omitEmpty;
  std::vector<double> seconds, cpuSeconds;
  Result result{name};
  for (int run = 0; run < runs; ++run)
  {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpuStart = std::clock();
    const auto bytes = writeSeg(labels, segments, series, attributes, options);
    cpuSeconds.push_back(static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    result.bytes = bytes.size();
  }
  std::sort(seconds.begin(), seconds.end());
  std::sort(cpuSeconds.begin(), cpuSeconds.end());
  result.medianSeconds = seconds[seconds.size() / 2];
  result.medianCpuSeconds = cpuSeconds[cpuSeconds.size() / 2];
  // Frames: one per (segment, slice) the labels touch, or all of them.
  std::vector<char> present(series.slices.size() * segments.size(), 0);
  const size_t plane = labels.geometry.size[0] * labels.geometry.size[1];
  for (size_t v = 0; v < labels.voxels.size(); ++v)
    if (labels.voxels[v] != 0)
      present[v / plane * segments.size() + labels.voxels[v] - 1] = 1;
  result.frames = omitEmpty ? static_cast<size_t>(std::count(present.begin(), present.end(), 1))
                            : present.size();
  return result;
}
} // namespace

int main(int argc, char** argv)
{
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const auto series = syntheticCtSeries(512, 512, 300);
  const auto attributes = segSourceAttributesFromSeries(series);
  const auto labels = syntheticOrgans(series.image.geometry);
  const char* names[5] = {"Liver", "Spleen", "Pancreas", "Aorta", "Kidney"};
  std::vector<SegmentDescription> segments;
  for (uint16_t n = 1; n <= 5; ++n)
    segments.push_back(describeSegmentByName(n, names[n - 1], "Iris", "bench"));

  const Result results[] = {
      measure("omit empty frames", labels, segments, series, attributes, true, runs),
      measure("all frames", labels, segments, series, attributes, false, runs)};

  std::printf("{\"benchmark\": \"seg_write\", \"grid\": [512, 512, 300], \"segments\": 5, "
              "\"runs\": %d, \"goal_seconds_per_300_frames\": 1.0, \"results\": [",
              runs);
  for (size_t n = 0; n < 2; ++n)
  {
    const auto& r = results[n];
    std::printf("%s{\"case\": \"%s\", \"frames\": %zu, \"bytes\": %zu, \"median_s\": %.4f, "
                "\"median_cpu_s\": %.4f, \"s_per_300_frames\": %.4f, \"label_MB_per_s\": %.1f}",
                n ? ", " : "", r.name.c_str(), r.frames, r.bytes, r.medianSeconds,
                r.medianCpuSeconds, r.medianSeconds * 300.0 / static_cast<double>(r.frames),
                labels.voxels.size() * 2 / 1e6 / r.medianSeconds);
  }
  std::printf("]}\n\n| case | frames | SEG size (MB) | median (s) | median CPU (s) | s per 300 "
              "frames | goal |\n|---|---|---|---|---|---|---|\n");
  for (const auto& r : results)
  {
    const double per300 = r.medianSeconds * 300.0 / static_cast<double>(r.frames);
    std::printf("| %s | %zu | %.2f | %.3f | %.3f | %.3f | %s |\n", r.name.c_str(), r.frames,
                r.bytes / 1e6, r.medianSeconds, r.medianCpuSeconds, per300,
                per300 <= 1.0 ? "met (<= 1 s)" : "missed");
  }
  return 0;
}
