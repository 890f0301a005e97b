#include "dicom/Nifti.h"
#include "dicom/SeriesReader.h"
#include "dicom/SeriesWriter.h"
#include "tools/CommandLine.h"

#include <dcmtk/oflog/oflog.h>
#include <ostream>

namespace iris::cli
{
namespace
{
constexpr int kUsageError = 2;

// DCMTK warns about every tolerated oddity (odd lengths, private sequences); a converting user
// only needs errors, which reach them as exceptions.
void quietDcmtk()
{
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
}

std::string describeGeometry(const dicom::VolumeGeometry& geometry)
{
  return std::to_string(geometry.size[0]) + "x" + std::to_string(geometry.size[1]) + "x" +
         std::to_string(geometry.size[2]) + " voxels of " + std::to_string(geometry.spacing[0]) +
         " x " + std::to_string(geometry.spacing[1]) + " x " + std::to_string(geometry.spacing[2]) +
         " mm";
}

int dicomToNifti(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  if (args.size() != 2)
  {
    err << "Usage: iris dicom2nifti <series_dir> <out.nii.gz>\n";
    return kUsageError;
  }
  quietDcmtk();
  const dicom::SeriesVolume series = dicom::readSeriesFolder(args[0]);
  dicom::writeNiftiImage(args[1], series.image);
  out << "Wrote " << args[1] << ": " << describeGeometry(series.image.geometry) << " from "
      << series.slices.size() << " slices (" << series.modality << ")\n";
  return 0;
}

int niftiToDicom(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  std::vector<std::string> positional;
  dicom::SeriesWriteOptions options;
  for (size_t index = 0; index < args.size(); ++index)
  {
    if (args[index] == "--modality" && index + 1 < args.size())
    {
      options.modality = args[++index];
    }
    else if (args[index].rfind("--", 0) == 0)
    {
      err << "Unknown option " << args[index] << "\n";
      return kUsageError;
    }
    else
    {
      positional.push_back(args[index]);
    }
  }
  if (positional.size() != 2 || (options.modality != "CT" && options.modality != "MR"))
  {
    err << "Usage: iris nifti2dicom <image.nii.gz> <out_dir> [--modality CT|MR]\n";
    return kUsageError;
  }
  quietDcmtk();
  const dicom::ImageVolume image = dicom::readNiftiImage(positional[0]);
  const auto files = dicom::writeSeries(image, positional[1], options);
  out << "Wrote " << files.size() << " " << options.modality << " slices to " << positional[1]
      << ": " << describeGeometry(image.geometry) << "\n";
  return 0;
}
} // namespace

std::vector<Command> seriesCommands()
{
  return {
      {"dicom2nifti", "<series_dir> <out.nii.gz>",
       "Assemble one DICOM series (a folder) into a NIfTI volume", dicomToNifti},
      {"nifti2dicom", "<image.nii.gz> <out_dir> [--modality CT|MR]",
       "Write a NIfTI volume as a new single-frame DICOM series", niftiToDicom},
  };
}
} // namespace iris::cli
