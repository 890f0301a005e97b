#include "dicom/SeriesWriter.h"

#include "dicom/DicomError.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace iris::dicom
{
namespace
{
// How float values become 16-bit stored values: stored = round((value - intercept) / slope).
struct PixelEncoding
{
  bool isSigned = true;
  double slope = 1.0;
  double intercept = 0.0;
  float minimum = 0.0f;
  float maximum = 0.0f;
};

PixelEncoding chooseEncoding(const std::vector<float>& values)
{
  PixelEncoding encoding;
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  encoding.minimum = *low;
  encoding.maximum = *high;
  const bool integers = std::all_of(values.begin(), values.end(),
                                    [](float value) { return value == std::round(value); });
  if (integers && encoding.minimum >= -32768.0f && encoding.maximum <= 32767.0f)
  {
    return encoding;
  }
  if (integers && encoding.minimum >= 0.0f && encoding.maximum <= 65535.0f)
  {
    encoding.isSigned = false;
    return encoding;
  }
  const double range = static_cast<double>(encoding.maximum) - encoding.minimum;
  encoding.slope = range > 0.0 ? range / 65534.0 : 1.0;
  encoding.intercept = encoding.minimum + 32767.0 * encoding.slope;
  return encoding;
}

std::string newUid()
{
  char buffer[100];
  return dcmGenerateUniqueIdentifier(buffer, SITE_INSTANCE_UID_ROOT);
}

std::string decimal(double value)
{
  std::ostringstream text; // DS holds 16 characters: 9 significant digits always fit
  text << std::setprecision(9) << value;
  return text.str();
}

std::string decimals(std::initializer_list<double> values)
{
  std::string joined;
  for (double value : values)
  {
    joined += (joined.empty() ? "" : "\\") + decimal(std::abs(value) < 1e-12 ? 0.0 : value);
  }
  return joined;
}

void put(DcmDataset& dataset, const DcmTagKey& tag, const std::string& value)
{
  const OFCondition status = dataset.putAndInsertString(tag, value.c_str());
  if (status.bad())
  {
    throw DicomError("Cannot set " + std::string(DcmTag(tag).getTagName()) + " to \"" + value +
                     "\": " + status.text());
  }
}

void requirePlainStack(const VolumeGeometry& geometry)
{
  const auto& i = geometry.axes[0];
  const auto& j = geometry.axes[1];
  const Vec3 normal{i[1] * j[2] - i[2] * j[1], i[2] * j[0] - i[0] * j[2],
                    i[0] * j[1] - i[1] * j[0]};
  const double along = std::abs(normal[0] * geometry.axes[2][0] + normal[1] * geometry.axes[2][1] +
                                normal[2] * geometry.axes[2][2]);
  const double ij = std::abs(i[0] * j[0] + i[1] * j[1] + i[2] * j[2]);
  if (ij > 1e-4 || std::abs(along - 1.0) > 1e-4)
  {
    throw std::invalid_argument("The image grid is sheared (its slice axis is not normal to its "
                                "rows and columns); a DICOM slice stack cannot represent it");
  }
}

class SeriesFileWriter
{
public:
  SeriesFileWriter(const ImageVolume& image, const SeriesWriteOptions& options)
      : image_(image), options_(options), encoding_(chooseEncoding(image.voxels))
  {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%d", &utc);
    date_ = text;
    std::strftime(text, sizeof text, "%H%M%S", &utc);
    time_ = text;
    studyUid_ = options.studyInstanceUid.empty() ? newUid() : options.studyInstanceUid;
    frameOfReferenceUid_ =
        options.frameOfReferenceUid.empty() ? newUid() : options.frameOfReferenceUid;
    seriesUid_ = newUid();
  }

  void write(size_t k, const std::filesystem::path& path) const
  {
    DcmFileFormat file;
    DcmDataset& dataset = *file.getDataset();
    const bool ct = options_.modality == "CT";
    const std::string sopClass = ct ? UID_CTImageStorage : UID_MRImageStorage;
    put(dataset, DCM_SpecificCharacterSet, "ISO_IR 192");
    put(dataset, DCM_SOPClassUID, sopClass);
    put(dataset, DCM_SOPInstanceUID, newUid());
    put(dataset, DCM_ImageType, ct ? "DERIVED\\SECONDARY\\AXIAL" : "DERIVED\\SECONDARY\\OTHER");
    put(dataset, DCM_StudyDate, date_);
    put(dataset, DCM_StudyTime, time_);
    put(dataset, DCM_ContentDate, date_);
    put(dataset, DCM_ContentTime, time_);
    put(dataset, DCM_AccessionNumber, "");
    put(dataset, DCM_Modality, options_.modality);
    put(dataset, DCM_Laterality, "");
    put(dataset, DCM_PatientPosition, "HFS"); // unknown; head first-supine is the usual default
    put(dataset, DCM_Manufacturer, "Iris for Orthanc");
    put(dataset, DCM_ReferringPhysicianName, "");
    put(dataset, DCM_StudyDescription, options_.studyDescription);
    put(dataset, DCM_SeriesDescription, options_.seriesDescription);
    put(dataset, DCM_PatientName, options_.patientName);
    put(dataset, DCM_PatientID, options_.patientId);
    put(dataset, DCM_PatientBirthDate, "");
    put(dataset, DCM_PatientSex, "");
    put(dataset, DCM_StudyInstanceUID, studyUid_);
    put(dataset, DCM_SeriesInstanceUID, seriesUid_);
    put(dataset, DCM_StudyID, "1");
    put(dataset, DCM_SeriesNumber, "1");
    put(dataset, DCM_AcquisitionNumber, "1");
    put(dataset, DCM_InstanceNumber, std::to_string(k + 1));
    put(dataset, DCM_PatientOrientation, "");
    put(dataset, DCM_FrameOfReferenceUID, frameOfReferenceUid_);
    put(dataset, DCM_PositionReferenceIndicator, "");
    writeModalityAttributes(dataset, ct);
    writePlane(dataset, k);
    writePixels(dataset, k, ct);
    const OFCondition status = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
    if (status.bad())
    {
      throw DicomError("Cannot write \"" + path.string() + "\": " + status.text());
    }
  }

private:
  void writeModalityAttributes(DcmDataset& dataset, bool ct) const
  {
    if (ct)
    {
      put(dataset, DCM_KVP, "");
      return;
    }
    put(dataset, DCM_ScanningSequence, "RM"); // research mode: the acquisition is unknown
    put(dataset, DCM_SequenceVariant, "NONE");
    put(dataset, DCM_ScanOptions, "");
    put(dataset, DCM_MRAcquisitionType, "3D");
    put(dataset, DCM_RepetitionTime, "");
    put(dataset, DCM_EchoTime, "");
    put(dataset, DCM_EchoTrainLength, "");
    put(dataset, DCM_SpacingBetweenSlices, decimal(image_.geometry.spacing[2]));
  }

  void writePlane(DcmDataset& dataset, size_t k) const
  {
    const VolumeGeometry& geometry = image_.geometry;
    const Vec3 position = geometry.voxelToPatient({0.0, 0.0, static_cast<double>(k)});
    const auto& i = geometry.axes[0];
    const auto& j = geometry.axes[1];
    put(dataset, DCM_ImagePositionPatient, decimals({position[0], position[1], position[2]}));
    put(dataset, DCM_ImageOrientationPatient, decimals({i[0], i[1], i[2], j[0], j[1], j[2]}));
    // PixelSpacing is (between rows, between columns) = (j spacing, i spacing).
    put(dataset, DCM_PixelSpacing, decimals({geometry.spacing[1], geometry.spacing[0]}));
    put(dataset, DCM_SliceThickness, decimal(geometry.spacing[2]));
  }

  void writePixels(DcmDataset& dataset, size_t k, bool ct) const
  {
    const size_t columns = image_.geometry.size[0], rows = image_.geometry.size[1];
    put(dataset, DCM_SamplesPerPixel, "1");
    put(dataset, DCM_PhotometricInterpretation, "MONOCHROME2");
    put(dataset, DCM_Rows, std::to_string(rows));
    put(dataset, DCM_Columns, std::to_string(columns));
    put(dataset, DCM_BitsAllocated, "16");
    put(dataset, DCM_BitsStored, "16");
    put(dataset, DCM_HighBit, "15");
    put(dataset, DCM_PixelRepresentation, encoding_.isSigned ? "1" : "0");
    const bool rescaled = encoding_.slope != 1.0 || encoding_.intercept != 0.0;
    if (ct || rescaled)
    {
      put(dataset, DCM_RescaleIntercept, decimal(encoding_.intercept));
      put(dataset, DCM_RescaleSlope, decimal(encoding_.slope));
      put(dataset, DCM_RescaleType, ct ? "HU" : "US");
    }
    const double width = std::max(1.0f, encoding_.maximum - encoding_.minimum);
    put(dataset, DCM_WindowCenter, decimal(encoding_.minimum + width / 2.0));
    put(dataset, DCM_WindowWidth, decimal(width));
    std::vector<Uint16> stored(columns * rows);
    const float* slice = image_.voxels.data() + k * stored.size();
    for (size_t index = 0; index < stored.size(); ++index)
    {
      const double value = std::round((slice[index] - encoding_.intercept) / encoding_.slope);
      stored[index] = encoding_.isSigned ? static_cast<Uint16>(static_cast<Sint16>(value))
                                         : static_cast<Uint16>(value);
    }
    const OFCondition status = dataset.putAndInsertUint16Array(
        DCM_PixelData, stored.data(), static_cast<unsigned long>(stored.size()));
    if (status.bad())
    {
      throw DicomError(std::string("Cannot set Pixel Data: ") + status.text());
    }
  }

  const ImageVolume& image_;
  const SeriesWriteOptions& options_;
  PixelEncoding encoding_;
  std::string date_, time_, studyUid_, frameOfReferenceUid_, seriesUid_;
};
} // namespace

std::vector<std::filesystem::path> writeSeries(const ImageVolume& image,
                                               const std::filesystem::path& folder,
                                               const SeriesWriteOptions& options)
{
  if (options.modality != "CT" && options.modality != "MR")
  {
    throw std::invalid_argument("Modality must be CT or MR, not \"" + options.modality + "\"");
  }
  if (image.voxels.empty() || image.voxels.size() != image.geometry.voxelCount())
  {
    throw std::invalid_argument("The image has " + std::to_string(image.voxels.size()) +
                                " voxels for a grid of " +
                                std::to_string(image.geometry.voxelCount()));
  }
  if (image.geometry.size[0] > 65535 || image.geometry.size[1] > 65535)
  {
    throw std::invalid_argument("Rows and columns must fit 16 bits");
  }
  requirePlainStack(image.geometry);
  std::filesystem::create_directories(folder);
  const SeriesFileWriter writer(image, options);
  std::vector<std::filesystem::path> files;
  for (size_t k = 0; k < image.geometry.size[2]; ++k)
  {
    std::ostringstream name;
    name << "IM" << std::setw(5) << std::setfill('0') << k + 1 << ".dcm";
    files.push_back(folder / name.str());
    writer.write(k, files.back());
  }
  return files;
}
} // namespace iris::dicom
