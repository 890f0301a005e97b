#include "dicom/LabelOverlap.h"
#include "dicom/Montage.h"
#include "dicom/Nifti.h"
#include "dicom/SegReader.h"
#include "dicom/SegSource.h"
#include "tools/CommandLine.h"
#include "tools/LabelInput.h"

#include <dcmtk/oflog/oflog.h>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>

namespace iris::cli
{
namespace
{
constexpr int kUsageError = 2;
constexpr const char* kDiceUsage =
    "<reference_labels> <predicted_labels> [--series <series_dir>] [--json <out.json>]";
constexpr const char* kMontageUsage =
    "<image.nii.gz|series_dir> <labels.nii.gz|seg.dcm> <out.png> [--slices N] [--columns N]";

bool isNifti(const std::string& path)
{
  const auto endsWith = [&path](const std::string& suffix)
  {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return endsWith(".nii") || endsWith(".nii.gz");
}

// NIfTI labels, or a DICOM-SEG read onto `source` (which a SEG needs), on the source's grid.
dicom::LabelVolume loadLabels(const std::string& path, const dicom::SegSource* source)
{
  if (isNifti(path))
    return source ? readNiftiLabelsOnGrid(path, source->series.image.geometry)
                  : dicom::readNiftiLabels(path);
  if (!source)
    throw std::invalid_argument(path + " is not a NIfTI file; a DICOM-SEG needs its series "
                                       "(--series <series_dir>, or a series folder as the image)");
  return dicom::readSeg(path, source->series).labels;
}

int dice(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  const auto parsed = parseArgs(args, {"--series", "--json"});
  const auto& positional = parsed.positional;
  const std::string* seriesDir = parsed.option("--series");
  const std::string* jsonPath = parsed.option("--json");
  if (positional.size() != 2)
  {
    err << "Usage: iris dice " << kDiceUsage << "\n";
    return kUsageError;
  }
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  std::optional<dicom::SegSource> source;
  if (seriesDir)
    source = dicom::loadSegSource(*seriesDir);
  const auto reference = loadLabels(positional[0], source ? &*source : nullptr);
  const auto predicted = loadLabels(positional[1], source ? &*source : nullptr);
  const auto overlaps = dicom::compareLabels(reference, predicted);

  nlohmann::json report{{"reference", positional[0]},
                        {"predicted", positional[1]},
                        {"labels", nlohmann::json::array()}};
  double sum = 0.0;
  size_t counted = 0;
  out << std::fixed << std::setprecision(4);
  for (const auto& overlap : overlaps)
  {
    out << "label " << overlap.label << ": Dice " << overlap.dice() << " (reference "
        << overlap.reference << " voxels, predicted " << overlap.predicted << ")\n";
    report["labels"].push_back({{"label", overlap.label},
                                {"dice", overlap.dice()},
                                {"reference_voxels", overlap.reference},
                                {"predicted_voxels", overlap.predicted}});
    if (overlap.reference > 0) // labels only predicted count against nothing we can average
    {
      sum += overlap.dice();
      ++counted;
    }
  }
  const double mean = counted ? sum / static_cast<double>(counted) : 0.0;
  report["mean_dice"] = mean;
  out << "mean Dice over " << counted << " reference label(s): " << mean << "\n";
  const auto foreground = dicom::compareForeground(reference, predicted);
  report["foreground_dice"] = foreground.dice();
  out << "all labels merged: Dice " << foreground.dice() << "\n";
  if (jsonPath)
  {
    std::ofstream file(*jsonPath);
    file << report.dump(2) << "\n";
    if (!file)
      throw std::runtime_error("cannot write " + *jsonPath);
  }
  return 0;
}

int montage(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  const auto parsed = parseArgs(args, {"--slices", "--columns"});
  const auto& positional = parsed.positional;
  if (positional.size() != 3)
  {
    err << "Usage: iris montage " << kMontageUsage << "\n";
    return kUsageError;
  }
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  dicom::MontageOptions options;
  if (const auto* slices = parsed.option("--slices"))
    options.slices = static_cast<size_t>(parsePositiveCount(*slices, "--slices"));
  if (const auto* columns = parsed.option("--columns"))
    options.columns = static_cast<size_t>(parsePositiveCount(*columns, "--columns"));

  std::optional<dicom::SegSource> source;
  dicom::ImageVolume image;
  if (isNifti(positional[0]))
    image = dicom::readNiftiImage(positional[0]);
  else
  {
    source = dicom::loadSegSource(positional[0]);
    image = source->series.image;
  }
  const auto labels = loadLabels(positional[1], source ? &*source : nullptr);
  const auto picture = dicom::renderMontage(image, &labels, options);
  dicom::writePng(positional[2], picture);
  out << "Wrote " << positional[2] << ": " << picture.width << "x" << picture.height << " pixels\n";
  return 0;
}
} // namespace

std::vector<Command> reviewCommands()
{
  return {
      {"dice", kDiceUsage,
       "Dice per label between two label maps (NIfTI, or DICOM-SEG on a series)", dice},
      {"montage", kMontageUsage, "Write a PNG of axial slices with the labels drawn over them",
       montage},
  };
}
} // namespace iris::cli
