#include "dicom/SegSource.h"

#include "dicom/SegDicomIo.h"
#include "dicom/SegErrors.h"

#include <algorithm>
#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>

namespace iris::dicom
{
namespace
{
struct SliceHeader
{
  SourceSlice slice;
  std::string position;
  Vec3 positionMm{};
  double distanceAlongNormal = 0.0;
};

// SOP UIDs may be empty in the dataset and present only in the meta header (seen in the wild).
std::string uidOf(DcmFileFormat& file, const DcmTagKey& datasetTag, const DcmTagKey& metaTag)
{
  std::string uid = stringOf(*file.getDataset(), datasetTag);
  return uid.empty() ? stringOf(*file.getMetaInfo(), metaTag) : uid;
}

std::vector<double> numbersOf(DcmItem& item, const DcmTagKey& tag, size_t count,
                              const std::string& where, const char* name)
{
  std::vector<double> values(count);
  for (size_t n = 0; n < count; ++n)
  {
    Float64 value = 0;
    if (item.findAndGetFloat64(tag, value, static_cast<unsigned long>(n)).bad())
    {
      throw SegReferenceError(where + ": " + name + " is missing or has fewer than " +
                              std::to_string(count) + " values");
    }
    values[n] = value;
  }
  return values;
}

Vec3 cross(const Vec3& a, const Vec3& b)
{
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

double dot(const Vec3& a, const Vec3& b)
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

SegSourceAttributes attributesOf(DcmDataset& dataset)
{
  SegSourceAttributes attributes;
  attributes.studyDataset = std::make_shared<DcmDataset>(dataset);
  attributes.studyDataset->findAndDeleteElement(DCM_PixelData);
  attributes.imageOrientation = stringOf(dataset, DCM_ImageOrientationPatient);
  attributes.sliceThickness = stringOf(dataset, DCM_SliceThickness);
  return attributes;
}
} // namespace

SegSourceAttributes segSourceAttributesFromFile(const std::filesystem::path& instance)
{
  return attributesOf(*loadDicomFile(instance, true)->getDataset());
}

SegSourceAttributes segSourceAttributesFromBuffer(const std::vector<uint8_t>& instance)
{
  return attributesOf(*loadDicomBuffer(instance, "source instance")->getDataset());
}

SegSource loadSegSource(const std::filesystem::path& seriesDirectory)
{
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(seriesDirectory, error))
  {
    if (entry.is_regular_file())
    {
      files.push_back(entry.path());
    }
  }
  if (error || files.empty())
  {
    throw SegReferenceError(seriesDirectory.string() + " holds no DICOM files");
  }
  std::sort(files.begin(), files.end());

  SegSource source;
  auto& series = source.series;
  auto& geometry = series.image.geometry;
  std::vector<SliceHeader> headers;
  Vec3 normal{};
  for (const auto& path : files)
  {
    auto file = loadDicomFile(path, true);
    DcmDataset& dataset = *file->getDataset();
    const std::string where = path.string();
    SliceHeader header;
    header.slice.sopClassUid = uidOf(*file, DCM_SOPClassUID, DCM_MediaStorageSOPClassUID);
    header.slice.sopInstanceUid = uidOf(*file, DCM_SOPInstanceUID, DCM_MediaStorageSOPInstanceUID);
    const std::string seriesUid = stringOf(dataset, DCM_SeriesInstanceUID);
    Sint32 frames = 1;
    dataset.findAndGetSint32(DCM_NumberOfFrames, frames);
    if (frames > 1)
    {
      throw SegReferenceError(where + ": multi-frame source instances are not supported here");
    }
    Uint16 rows = 0, columns = 0;
    dataset.findAndGetUint16(DCM_Rows, rows);
    dataset.findAndGetUint16(DCM_Columns, columns);
    const auto orientation =
        numbersOf(dataset, DCM_ImageOrientationPatient, 6, where, "ImageOrientationPatient");
    const auto position =
        numbersOf(dataset, DCM_ImagePositionPatient, 3, where, "ImagePositionPatient");
    const auto pixelSpacing = numbersOf(dataset, DCM_PixelSpacing, 2, where, "PixelSpacing");
    if (headers.empty())
    {
      series.studyInstanceUid = stringOf(dataset, DCM_StudyInstanceUID);
      series.seriesInstanceUid = seriesUid;
      series.frameOfReferenceUid = stringOf(dataset, DCM_FrameOfReferenceUID);
      series.modality = stringOf(dataset, DCM_Modality);
      geometry.size = {columns, rows, 0};
      geometry.spacing = {pixelSpacing[1], pixelSpacing[0], 1.0};
      geometry.axes[0] = {orientation[0], orientation[1], orientation[2]};
      geometry.axes[1] = {orientation[3], orientation[4], orientation[5]};
      normal = cross(geometry.axes[0], geometry.axes[1]);
      geometry.axes[2] = normal;
      source.attributes = attributesOf(dataset);
    }
    else if (seriesUid != series.seriesInstanceUid || columns != geometry.size[0] ||
             rows != geometry.size[1] ||
             stringOf(dataset, DCM_ImageOrientationPatient) != source.attributes.imageOrientation)
    {
      throw SegReferenceError(where + " does not belong to the series of " + files[0].string() +
                              " (other series UID, size or orientation)");
    }
    header.position = stringOf(dataset, DCM_ImagePositionPatient);
    header.positionMm = {position[0], position[1], position[2]};
    header.distanceAlongNormal = dot(header.positionMm, normal);
    headers.push_back(std::move(header));
  }

  std::sort(headers.begin(), headers.end(),
            [](const SliceHeader& a, const SliceHeader& b)
            { return a.distanceAlongNormal < b.distanceAlongNormal; });
  const size_t count = headers.size();
  if (count > 1)
  {
    const double spacing =
        (headers.back().distanceAlongNormal - headers.front().distanceAlongNormal) /
        static_cast<double>(count - 1);
    for (size_t k = 1; k < count; ++k)
    {
      const double step = headers[k].distanceAlongNormal - headers[k - 1].distanceAlongNormal;
      if (spacing <= 0.0 || std::abs(step - spacing) > 0.01 * spacing + 1e-3)
      {
        throw SegReferenceError(seriesDirectory.string() +
                                ": slices are not uniformly spaced (step " + std::to_string(step) +
                                " mm, expected " + std::to_string(spacing) + " mm)");
      }
    }
    geometry.spacing[2] = spacing;
  }
  else
  {
    Float64 thickness = 0;
    source.attributes.studyDataset->findAndGetFloat64(DCM_SliceThickness, thickness);
    geometry.spacing[2] = thickness > 0 ? thickness : 1.0;
  }
  geometry.size[2] = count;
  geometry.origin = headers.front().positionMm;
  for (auto& header : headers)
  {
    series.slices.push_back(header.slice);
    source.attributes.imagePositions.push_back(header.position);
  }
  return source;
}
} // namespace iris::dicom
