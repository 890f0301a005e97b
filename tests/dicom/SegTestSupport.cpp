#include "tests/dicom/SegTestSupport.h"

#include "dicom/SegTerminology.h"
#include "dicom/SeriesReader.h"
#include "tests/support/Dicom3Tools.h"
#include "tests/support/Process.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <array>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace iris::test
{
dicom::SegSource sharedSegSource(const std::string& relativePath)
{
  return dicom::loadSegSource(sharedDataDir() / relativePath);
}

dicom::LabelVolume syntheticLabels(const dicom::VolumeGeometry& grid, uint16_t segmentCount)
{
  dicom::LabelVolume labels;
  labels.geometry = grid;
  labels.voxels.resize(grid.voxelCount());
  for (size_t k = 0; k < grid.size[2]; ++k)
    for (size_t j = 0; j < grid.size[1]; ++j)
      for (size_t i = 0; i < grid.size[0]; ++i)
      {
        const size_t value = 1 + (i / 3 + j / 2 + k) % (segmentCount + 1u);
        const bool absent = value > segmentCount || (k + value) % 3 == 0;
        labels.at(i, j, k) = absent ? 0 : static_cast<uint16_t>(value);
      }
  return labels;
}

std::vector<dicom::SegmentDescription> testSegments(uint16_t count)
{
  static const std::array<const char*, 6> names = {"Liver", "Spleen", "Mass", "Region of interest",
                                                   "Aorta", "Kidney"};
  std::vector<dicom::SegmentDescription> segments;
  for (uint16_t value = 1; value <= count; ++value)
  {
    std::string name = names[(value - 1) % names.size()];
    if (value > names.size())
      name += " " + std::to_string(value);
    segments.push_back(dicom::describeSegmentByName(value, name, "IrisTest", "1.2.3"));
  }
  return segments;
}

std::vector<std::string> dcentvfyErrors(const std::filesystem::path& seg,
                                        const std::filesystem::path& seriesFolder)
{
  // dcentvfy comes with dciodvfy (dicom3tools).
  const auto dcentvfy = std::filesystem::path(IRIS_DCIODVFY_EXECUTABLE).parent_path() / "dcentvfy";
  std::vector<std::string> argv = {dcentvfy.string(), seg.string()};
  for (const auto& file : dicom::listSeriesFiles(seriesFolder))
    argv.push_back(file.string());
  const auto result = runProcess(argv);
  auto errors = dicom3toolsErrors(result.output);
  if (result.exitCode != 0 && errors.empty())
    errors.push_back("dcentvfy failed: " + result.output);
  return errors;
}

dicom::LabelVolume decodeIndependently(const std::filesystem::path& seg,
                                       const dicom::SegSource& source,
                                       std::map<uint16_t, size_t>* voxelsPerSegment)
{
  TempDir temp;
  {
    std::ofstream slices(temp / "slices.txt");
    slices.precision(10);
    const auto& grid = source.series.image.geometry;
    for (size_t k = 0; k < source.series.slices.size(); ++k)
    {
      const auto position = grid.voxelToPatient({0.0, 0.0, static_cast<double>(k)});
      slices << source.series.slices[k].sopInstanceUid << " " << source.series.slices[k].frameNumber
             << " " << position[0] << " " << position[1] << " " << position[2] << "\n";
    }
  }
  const auto script = sourceDir() / "tests/dicom/SegIndependentDecode.py";
  const auto result = runProcess({"/usr/bin/python3", script.string(), seg.string(),
                                  (temp / "slices.txt").string(), (temp / "labels.raw").string()});
  EXPECT_EQ(result.exitCode, 0) << result.output;
  dicom::LabelVolume labels;
  labels.geometry = source.series.image.geometry;
  labels.voxels.resize(labels.geometry.voxelCount());
  std::ifstream in(temp / "labels.raw", std::ios::binary);
  in.read(reinterpret_cast<char*>(labels.voxels.data()),
          static_cast<std::streamsize>(labels.voxels.size() * sizeof(uint16_t)));
  EXPECT_TRUE(in) << "pydicom decode produced too few voxels";
  if (voxelsPerSegment != nullptr)
  {
    std::istringstream counts(result.output);
    size_t segment = 0, voxels = 0;
    while (counts >> segment >> voxels)
      (*voxelsPerSegment)[static_cast<uint16_t>(segment)] = voxels;
  }
  return labels;
}

dicom::LabelVolume toSegmentNumbers(const dicom::LabelVolume& labels,
                                    const std::vector<dicom::SegmentDescription>& segments)
{
  std::vector<uint16_t> numberOf(65536, 0);
  for (size_t n = 0; n < segments.size(); ++n)
    numberOf[segments[n].labelValue] = static_cast<uint16_t>(n + 1);
  dicom::LabelVolume numbers = labels;
  for (auto& voxel : numbers.voxels)
    voxel = numberOf[voxel];
  return numbers;
}
} // namespace iris::test
