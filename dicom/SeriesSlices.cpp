#include "dicom/SeriesSlices.h"

#include "dicom/DicomError.h"
#include "dicom/DicomInput.h"
#include "dicom/DicomPixels.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <set>

namespace iris::dicom
{
namespace
{
// Objects that may carry Rows/Columns or even pixels but are not images of the patient.
const std::set<std::string>& nonImageModalities()
{
  static const std::set<std::string> modalities = {
      "SR",  "PR",  "SEG", "RTSTRUCT", "RTPLAN", "RTRECORD", "RTDOSE", "KO",
      "DOC", "REG", "FID", "RWV",      "PLAN",   "AU",       "ECG",    "HD"};
  return modalities;
}

void requireImageObject(DcmFileFormat& file, const std::string& name, const std::string& sopClass)
{
  const std::string modality = stringAttribute(*file.getDataset(), DCM_Modality);
  const char* classModality = dcmSOPClassUIDToModality(sopClass.c_str(), "");
  const bool nonImage = nonImageModalities().count(modality) > 0 ||
                        nonImageModalities().count(classModality) > 0 ||
                        sopClass == UID_SegmentationStorage;
  if (nonImage)
  {
    const char* className = dcmFindNameOfUID(sopClass.c_str(), sopClass.c_str());
    throw NotAnImageError(name + " is not an image but a " + className + " object (Modality " +
                          (modality.empty() ? std::string("absent") : modality) +
                          "); a volume needs image slices");
  }
}

template <size_t N>
std::optional<std::array<double, N>> fixedNumbers(DcmItem* item, const DcmTagKey& tag)
{
  if (item == nullptr)
  {
    return std::nullopt;
  }
  const std::vector<double> values = numbersAttribute(*item, tag);
  if (values.size() != N)
  {
    return std::nullopt;
  }
  std::array<double, N> fixed{};
  std::copy(values.begin(), values.end(), fixed.begin());
  return fixed;
}

// The first item of `macro` in the frame's per-frame group, else in the shared group.
DcmItem* functionalGroup(DcmItem* perFrame, DcmItem* shared, const DcmTagKey& macro)
{
  DcmItem* found = perFrame ? sequenceItem(*perFrame, macro) : nullptr;
  return found ? found : (shared ? sequenceItem(*shared, macro) : nullptr);
}

template <size_t N>
std::optional<std::array<double, N>> groupOrTop(DcmItem* group, DcmItem& top, const DcmTagKey& tag)
{
  auto value = fixedNumbers<N>(group, tag);
  return value ? value : fixedNumbers<N>(&top, tag);
}

double numberOr(DcmItem* group, DcmItem& top, const DcmTagKey& tag, double fallback)
{
  std::optional<double> value = group ? numberAttribute(*group, tag) : std::nullopt;
  if (!value)
  {
    value = numberAttribute(top, tag);
  }
  return value.value_or(fallback);
}
} // namespace

InstanceHeader readInstanceHeader(DcmFileFormat& file, const std::string& name, size_t instance,
                                  const FrameDecoder* decoder)
{
  DcmDataset& dataset = *file.getDataset();
  const std::string sopClass = sopClassUidOf(file);
  requireImageObject(file, name, sopClass);
  InstanceHeader header;
  header.name = name;
  header.layout = readPixelLayout(file, name, decoder);
  header.seriesInstanceUid = stringAttribute(dataset, DCM_SeriesInstanceUID);
  const std::string sopInstance = sopInstanceUidOf(file);
  DcmItem* shared = sequenceItem(dataset, DCM_SharedFunctionalGroupsSequence);
  const bool enhanced = dataset.tagExists(DCM_PerFrameFunctionalGroupsSequence);
  const bool multiFrame = enhanced || header.layout.frames > 1;
  for (unsigned frame = 0; frame < header.layout.frames; ++frame)
  {
    DcmItem* perFrame =
        enhanced ? sequenceItem(dataset, DCM_PerFrameFunctionalGroupsSequence, frame) : nullptr;
    DcmItem* plane = functionalGroup(perFrame, shared, DCM_PlanePositionSequence);
    DcmItem* orientation = functionalGroup(perFrame, shared, DCM_PlaneOrientationSequence);
    DcmItem* measures = functionalGroup(perFrame, shared, DCM_PixelMeasuresSequence);
    DcmItem* transform = functionalGroup(perFrame, shared, DCM_PixelValueTransformationSequence);
    SliceHeader slice;
    slice.instance = instance;
    slice.frame = frame;
    slice.source = {sopInstance, sopClass, multiFrame ? static_cast<int>(frame) + 1 : 0};
    if (auto position = groupOrTop<3>(plane, dataset, DCM_ImagePositionPatient))
    {
      slice.position = Vec3{(*position)[0], (*position)[1], (*position)[2]};
    }
    slice.orientation = groupOrTop<6>(orientation, dataset, DCM_ImageOrientationPatient);
    slice.pixelSpacing = groupOrTop<2>(measures, dataset, DCM_PixelSpacing);
    if (!slice.pixelSpacing)
    {
      slice.pixelSpacing = fixedNumbers<2>(&dataset, DCM_ImagerPixelSpacing);
    }
    slice.sliceThickness = numberOr(measures, dataset, DCM_SliceThickness, 0.0);
    slice.spacingBetweenSlices = numberOr(measures, dataset, DCM_SpacingBetweenSlices, 0.0);
    slice.rescaleSlope = numberOr(transform, dataset, DCM_RescaleSlope, 1.0);
    slice.rescaleIntercept = numberOr(transform, dataset, DCM_RescaleIntercept, 0.0);
    if (slice.rescaleSlope == 0.0)
    {
      slice.rescaleSlope = 1.0; // a zero slope would erase the image; treat as absent
    }
    header.frames.push_back(slice);
  }
  return header;
}

void readSeriesAttributes(DcmFileFormat& file, SeriesVolume& series)
{
  DcmDataset& dataset = *file.getDataset();
  const std::pair<std::string*, DcmTagKey> fields[] = {
      {&series.studyInstanceUid, DCM_StudyInstanceUID},
      {&series.seriesInstanceUid, DCM_SeriesInstanceUID},
      {&series.frameOfReferenceUid, DCM_FrameOfReferenceUID},
      {&series.modality, DCM_Modality},
      {&series.patientName, DCM_PatientName},
      {&series.patientId, DCM_PatientID},
      {&series.patientBirthDate, DCM_PatientBirthDate},
      {&series.patientSex, DCM_PatientSex},
      {&series.studyDate, DCM_StudyDate},
      {&series.studyTime, DCM_StudyTime},
      {&series.studyId, DCM_StudyID},
      {&series.studyDescription, DCM_StudyDescription},
      {&series.accessionNumber, DCM_AccessionNumber},
      {&series.referringPhysicianName, DCM_ReferringPhysicianName},
      {&series.seriesDescription, DCM_SeriesDescription},
      {&series.seriesNumber, DCM_SeriesNumber},
      {&series.manufacturer, DCM_Manufacturer},
  };
  for (const auto& [field, tag] : fields)
  {
    *field = stringAttribute(dataset, tag);
  }
}
} // namespace iris::dicom
