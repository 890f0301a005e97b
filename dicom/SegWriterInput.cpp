#include "dicom/SegWriterInput.h"

#include "dicom/SegErrors.h"
#include "dicom/SegWriter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcvr.h>
#include <dcmtk/ofstd/ofdatime.h>
#include <set>
#include <utility>

namespace iris::dicom
{
namespace
{
void requireNonEmpty(const std::string& value, const char* what, size_t segment)
{
  if (value.empty())
  {
    throw SegInputError("segment description " + std::to_string(segment + 1) + " has no " + what);
  }
}

void requireCode(const CodedConcept& code, const char* what, size_t segment)
{
  if (code.value.empty() || code.scheme.empty() || code.meaning.empty())
  {
    throw SegInputError("segment description " + std::to_string(segment + 1) +
                        " has an incomplete " + what + " code (value, scheme and meaning)");
  }
}

std::string sizeText(const std::array<size_t, 3>& size)
{
  return std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" + std::to_string(size[2]);
}
// DCMTK's checkValue() leaves value lengths alone, but dciodvfy does not.
bool withinMaximumLength(DcmElement& element)
{
  const DcmVR vr(element.getVR());
  OFString value;
  if (!vr.isaString() || element.getOFStringArray(value).bad())
    return true;
  size_t start = 0;
  while (start <= value.size())
  {
    const size_t end = std::min(value.find('\\', start), value.size());
    if (end - start > vr.getMaxValueLength())
      return false;
    start = end + 1;
  }
  return true;
}
} // namespace

SegmentIndexByValue checkSegWriterInput(const LabelVolume& labels,
                                        const std::vector<SegmentDescription>& segments,
                                        const SeriesVolume& source,
                                        const SegSourceAttributes& attributes)
{
  const auto& grid = source.image.geometry;
  if (labels.voxels.size() != labels.geometry.voxelCount())
  {
    throw SegInputError("label volume holds " + std::to_string(labels.voxels.size()) +
                        " voxels but its geometry says " + sizeText(labels.geometry.size));
  }
  if (!labels.geometry.sameGrid(grid))
  {
    throw SegInputError("label volume (" + sizeText(labels.geometry.size) +
                        ") is not on the grid of source series " + source.seriesInstanceUid + " (" +
                        sizeText(grid.size) + "); resample it onto the source grid");
  }
  if (source.slices.size() != grid.size[2] || grid.size[2] == 0)
  {
    throw SegInputError("source series " + source.seriesInstanceUid + " lists " +
                        std::to_string(source.slices.size()) + " slice references for " +
                        std::to_string(grid.size[2]) + " slices");
  }
  if (grid.size[0] > 65535 || grid.size[1] > 65535)
  {
    throw SegInputError("source slices of " + sizeText(grid.size) + " exceed 65535 pixels");
  }
  if (source.studyInstanceUid.empty() || !attributes.studyDataset)
  {
    throw SegInputError("source series " + source.seriesInstanceUid +
                        " lacks a study UID or a study dataset");
  }
  if (!attributes.imagePositions.empty() && attributes.imagePositions.size() != grid.size[2])
  {
    throw SegInputError("source position strings do not match the slice count");
  }
  if (segments.empty() || segments.size() > 65535)
  {
    throw SegInputError("a SEG needs between 1 and 65535 segment descriptions, got " +
                        std::to_string(segments.size()));
  }
  SegmentIndexByValue indexByValue(65536, -1);
  for (size_t n = 0; n < segments.size(); ++n)
  {
    const auto& segment = segments[n];
    if (segment.labelValue == 0 || indexByValue[segment.labelValue] >= 0)
    {
      throw SegInputError("segment description " + std::to_string(n + 1) + " has label value " +
                          std::to_string(segment.labelValue) +
                          ", which is background (0) or already used");
    }
    requireNonEmpty(segment.label, "label", n);
    requireNonEmpty(segment.algorithmName, "algorithm name", n);
    requireNonEmpty(segment.algorithmVersion, "algorithm version", n);
    requireCode(segment.category, "category", n);
    requireCode(segment.type, "type", n);
    indexByValue[segment.labelValue] = static_cast<int>(n);
  }
  for (size_t voxel = 0; voxel < labels.voxels.size(); ++voxel)
  {
    const uint16_t value = labels.voxels[voxel];
    if (value != 0 && indexByValue[value] < 0)
    {
      const size_t plane = grid.size[0] * grid.size[1];
      throw SegInputError("label value " + std::to_string(value) + " at voxel (" +
                          std::to_string(voxel % grid.size[0]) + ", " +
                          std::to_string(voxel % plane / grid.size[0]) + ", " +
                          std::to_string(voxel / plane) + ") has no segment description");
    }
  }
  return indexByValue;
}

std::unique_ptr<DcmDataset> sanitisedStudyDataset(const DcmDataset& source)
{
  auto copy = std::make_unique<DcmDataset>(source);
  for (unsigned long n = copy->card(); n-- > 0;)
  {
    DcmElement* element = copy->getElement(n);
    if (element->isLeaf() && element->getTag() != DCM_PixelData &&
        (element->checkValue().bad() || !withinMaximumLength(*element)))
    {
      delete copy->remove(element);
    }
  }
  return copy;
}

void copyDeidentification(DcmItem& source, DcmItem& seg)
{
  for (const DcmTagKey& tag : {DCM_PatientIdentityRemoved, DCM_DeidentificationMethod,
                               DCM_DeidentificationMethodCodeSequence})
  {
    DcmElement* element = nullptr;
    if (source.findAndGetElement(tag, element).good() && element != nullptr)
      seg.insert(static_cast<DcmElement*>(element->clone()), true);
  }
}

std::string decimalString(double value)
{
  if (std::abs(value) < 1e-10)
  {
    return "0";
  }
  char text[64];
  for (int precision = 15; precision > 0; --precision)
  {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::char_traits<char>::length(text) <= 16)
    {
      break;
    }
  }
  return text;
}

std::string stableDeviceUid(const std::string& algorithmName, const std::string& algorithmVersion)
{
  uint64_t hash = 14695981039346656037ull; // FNV-1a
  for (const char c : "iris-seg-device\n" + algorithmName + "\n" + algorithmVersion)
  {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return "2.25." + std::to_string(hash);
}

void addSegProvenance(DcmItem& dataset, const std::vector<SegmentDescription>& segments,
                      const std::string& manufacturer)
{
  OFDateTime now;
  now.setCurrentDateTime();
  OFString date, time, dateTime;
  now.getDate().getISOFormattedDate(date, false);
  now.getTime().getISOFormattedTime(time, true, false, false, false);
  now.getISOFormattedDateTime(dateTime, true, false, false, false, "");
  dataset.putAndInsertOFStringArray(DCM_SeriesDate, date);
  dataset.putAndInsertOFStringArray(DCM_SeriesTime, time);

  std::set<std::pair<std::string, std::string>> algorithms;
  for (const auto& segment : segments)
  {
    if (!algorithms.insert({segment.algorithmName, segment.algorithmVersion}).second)
    {
      continue;
    }
    DcmItem* item = nullptr;
    dataset.findOrCreateSequenceItem(DCM_ContributingEquipmentSequence, item, -2);
    DcmItem* purpose = nullptr;
    item->findOrCreateSequenceItem(DCM_PurposeOfReferenceCodeSequence, purpose, 0);
    purpose->putAndInsertString(DCM_CodeValue, "Newcode1");
    purpose->putAndInsertString(DCM_CodingSchemeDesignator, "99IHE");
    purpose->putAndInsertString(DCM_CodeMeaning, "Processing Algorithm");
    item->putAndInsertString(DCM_Manufacturer, manufacturer.c_str());
    item->putAndInsertString(DCM_ManufacturerModelName, segment.algorithmName.c_str());
    item->putAndInsertString(DCM_SoftwareVersions, segment.algorithmVersion.c_str());
    item->putAndInsertString(
        DCM_DeviceUID, stableDeviceUid(segment.algorithmName, segment.algorithmVersion).c_str());
    item->putAndInsertOFStringArray(DCM_ContributionDateTime, dateTime);
  }
}
} // namespace iris::dicom
