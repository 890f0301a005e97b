#include "dicom/Nifti.h"
#include "dicom/SegReader.h"
#include "dicom/SegSource.h"
#include "dicom/SegTerminology.h"
#include "dicom/SegWriter.h"
#include "iris/Version.h"
#include "tools/CommandLine.h"
#include "tools/LabelInput.h"

#include <algorithm>
#include <dcmtk/oflog/oflog.h>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>

namespace iris::cli
{
namespace
{
constexpr int kUsageError = 2;
constexpr const char* kNiftiToSegUsage =
    "<label.nii.gz> <series_dir> <out.dcm> [--segments 1=Name,2=Name] [--keep-empty-frames] "
    "[--algorithm NAME] [--algorithm-version VERSION]";

// "1=Liver,2=Right kidney" -> {1: "Liver", 2: "Right kidney"}.
std::map<uint16_t, std::string> parseSegmentNames(const std::string& text)
{
  std::map<uint16_t, std::string> names;
  size_t start = 0;
  while (start < text.size())
  {
    const size_t end = std::min(text.find(',', start), text.size());
    const std::string entry = text.substr(start, end - start);
    const size_t equals = entry.find('=');
    size_t parsed = 0;
    int value = -1;
    try
    {
      value = std::stoi(entry.substr(0, equals), &parsed);
    }
    catch (const std::exception&)
    {
    }
    if (equals == std::string::npos || parsed != equals || value < 1 || value > 65535 ||
        equals + 1 >= entry.size())
    {
      throw std::invalid_argument("--segments entry \"" + entry +
                                  "\" is not <label value 1..65535>=<name>");
    }
    names[static_cast<uint16_t>(value)] = entry.substr(equals + 1);
    start = end + 1;
  }
  return names;
}

int niftiToSeg(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  std::vector<std::string> positional;
  std::map<uint16_t, std::string> names;
  dicom::SegWriteOptions options;
  options.softwareVersion = kVersion;
  std::string algorithm = "Iris", version = kVersion;
  for (size_t index = 0; index < args.size(); ++index)
  {
    const std::string& arg = args[index];
    const bool hasValue = index + 1 < args.size();
    if (arg == "--segments" && hasValue)
      names = parseSegmentNames(args[++index]);
    else if (arg == "--algorithm" && hasValue)
      algorithm = args[++index];
    else if (arg == "--algorithm-version" && hasValue)
      version = args[++index];
    else if (arg == "--keep-empty-frames")
      options.omitEmptyFrames = false;
    else if (arg.rfind("--", 0) == 0)
    {
      err << "Unknown or incomplete option " << arg << "\nUsage: iris nifti2seg "
          << kNiftiToSegUsage << "\n";
      return kUsageError;
    }
    else
      positional.push_back(arg);
  }
  if (positional.size() != 3)
  {
    err << "Usage: iris nifti2seg " << kNiftiToSegUsage << "\n";
    return kUsageError;
  }
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  const auto source = dicom::loadSegSource(positional[1]);
  dicom::LabelVolume labels =
      readNiftiLabelsOnGrid(positional[0], source.series.image.geometry);

  std::set<uint16_t> values(labels.voxels.begin(), labels.voxels.end());
  values.erase(0);
  for (const auto& named : names)
    values.insert(named.first);
  if (values.empty())
  {
    err << "iris nifti2seg: " << positional[0] << " has no label and --segments names none\n";
    return 1;
  }
  std::vector<dicom::SegmentDescription> segments;
  for (const uint16_t value : values)
  {
    const auto named = names.find(value);
    const std::string name =
        named != names.end() ? named->second : "Segment " + std::to_string(value);
    segments.push_back(dicom::describeSegmentByName(value, name, algorithm, version));
  }
  dicom::writeSegFile(positional[2], labels, segments, source.series, source.attributes, options);
  out << "Wrote " << positional[2] << ": " << segments.size() << " segment(s) on "
      << source.series.slices.size() << " slices of series " << source.series.seriesInstanceUid
      << "\n";
  for (size_t n = 0; n < segments.size(); ++n)
    out << "  segment " << n + 1 << ": label value " << segments[n].labelValue << ", "
        << segments[n].label << " (" << segments[n].type.meaning << ")\n";
  return 0;
}

int segToNifti(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  if (args.size() != 3)
  {
    err << "Usage: iris seg2nifti <seg.dcm> <series_dir> <out.nii.gz>\n";
    return kUsageError;
  }
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  const auto source = dicom::loadSegSource(args[1]);
  const auto content = dicom::readSeg(args[0], source.series);
  dicom::writeNiftiLabels(args[2], content.labels);
  out << "Wrote " << args[2] << ": " << content.segmentationType << " SEG, " << content.frameCount
      << " frames, " << content.segments.size() << " segment(s)"
      << (content.overlapping ? "; segments overlap, the highest number wins" : "") << "\n";
  for (const auto& segment : content.segments)
    out << "  " << segment.number << ": " << segment.description.label << " ("
        << segment.description.type.meaning << ")\n";
  return 0;
}
} // namespace

std::vector<Command> segCommands()
{
  return {
      {"nifti2seg", kNiftiToSegUsage,
       "Write a label NIfTI on a series' grid as a DICOM-SEG of that series", niftiToSeg},
      {"seg2nifti", "<seg.dcm> <series_dir> <out.nii.gz>",
       "Read a DICOM-SEG onto its series' grid and write the labels as NIfTI", segToNifti},
  };
}
} // namespace iris::cli
