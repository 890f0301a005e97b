#include "dicom/SegSource.h"

#include "dicom/DicomInput.h"
#include "dicom/SegErrors.h"
#include "dicom/SeriesReader.h"

#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <map>

namespace iris::dicom
{
namespace
{
SegSourceAttributes attributesOf(DcmDataset& dataset)
{
  dataset.findAndDeleteElement(DCM_PixelData); // before the copy, so it is never loaded
  SegSourceAttributes attributes;
  attributes.studyDataset = std::make_shared<DcmDataset>(dataset);
  attributes.imageOrientation = stringAttribute(dataset, DCM_ImageOrientationPatient);
  attributes.sliceThickness = stringAttribute(dataset, DCM_SliceThickness);
  return attributes;
}

// The source's own text is kept only where it says what the geometry says; anything else (say,
// positions of a multi-frame source, held in functional groups) is computed from the geometry.
bool agrees(const std::string& text, const std::vector<double>& expected, double tolerance)
{
  std::vector<double> values;
  size_t start = 0;
  while (start <= text.size())
  {
    const size_t end = std::min(text.find('\\', start), text.size());
    char* parsedEnd = nullptr;
    const std::string value = text.substr(start, end - start);
    values.push_back(std::strtod(value.c_str(), &parsedEnd));
    if (value.empty() || parsedEnd != value.c_str() + value.size())
      return false;
    start = end + 1;
  }
  if (values.size() != expected.size())
    return false;
  for (size_t n = 0; n < values.size(); ++n)
    if (std::abs(values[n] - expected[n]) > tolerance)
      return false;
  return true;
}
} // namespace

SegSourceAttributes segSourceAttributesFromFile(const std::filesystem::path& instance)
{
  return attributesOf(*openDicomFile(instance)->getDataset());
}

SegSourceAttributes segSourceAttributesFromBuffer(const std::vector<uint8_t>& instance)
{
  const std::string_view bytes(reinterpret_cast<const char*>(instance.data()), instance.size());
  return attributesOf(*openDicomBytes(bytes, "source instance")->getDataset());
}

SegSourceAttributes segSourceAttributesFromSeries(const SeriesVolume& series)
{
  SegSourceAttributes attributes;
  attributes.studyDataset = std::make_shared<DcmDataset>();
  DcmDataset& dataset = *attributes.studyDataset;
  const std::pair<DcmTagKey, const std::string*> values[] = {
      {DCM_PatientName, &series.patientName},
      {DCM_PatientID, &series.patientId},
      {DCM_PatientBirthDate, &series.patientBirthDate},
      {DCM_PatientSex, &series.patientSex},
      {DCM_StudyInstanceUID, &series.studyInstanceUid},
      {DCM_StudyDate, &series.studyDate},
      {DCM_StudyTime, &series.studyTime},
      {DCM_StudyID, &series.studyId},
      {DCM_StudyDescription, &series.studyDescription},
      {DCM_AccessionNumber, &series.accessionNumber},
      {DCM_ReferringPhysicianName, &series.referringPhysicianName},
      {DCM_FrameOfReferenceUID, &series.frameOfReferenceUid}};
  for (const auto& [tag, value] : values)
    if (!value->empty())
      dataset.putAndInsertString(tag, value->c_str());
  return attributes;
}

SegSource loadSegSource(const std::filesystem::path& seriesDirectory,
                        const SeriesReadOptions& options)
{
  SegSource source;
  source.series = readSeriesFolder(seriesDirectory, options);
  const auto& grid = source.series.image.geometry;
  std::map<std::string, std::string> positionByInstance;
  for (const auto& path : listSeriesFiles(seriesDirectory))
  {
    auto file = openDicomFile(path);
    DcmDataset& dataset = *file->getDataset();
    if (!source.attributes.studyDataset)
      source.attributes = attributesOf(dataset);
    positionByInstance[sopInstanceUidOf(*file)] =
        stringAttribute(dataset, DCM_ImagePositionPatient);
  }
  auto& attributes = source.attributes;
  const std::vector<double> axes = {grid.axes[0][0], grid.axes[0][1], grid.axes[0][2],
                                    grid.axes[1][0], grid.axes[1][1], grid.axes[1][2]};
  if (!agrees(attributes.imageOrientation, axes, 1e-4))
    attributes.imageOrientation.clear();
  for (size_t k = 0; k < source.series.slices.size(); ++k)
  {
    const auto found = positionByInstance.find(source.series.slices[k].sopInstanceUid);
    const Vec3 position = grid.voxelToPatient({0.0, 0.0, static_cast<double>(k)});
    if (found == positionByInstance.end() || source.series.slices[k].frameNumber != 0 ||
        !agrees(found->second, {position[0], position[1], position[2]},
                options.positionToleranceMm))
    {
      attributes.imagePositions.clear();
      break;
    }
    attributes.imagePositions.push_back(found->second);
  }
  return source;
}
} // namespace iris::dicom
