#include "dicom/DicomInput.h"
#include "dicom/SegDicomIo.h"
#include "dicom/SegErrors.h"
#include "dicom/SegReaderParts.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

namespace iris::dicom
{
namespace
{
CodedConcept codeOf(DcmItem* item)
{
  if (item == nullptr)
    return {};
  CodedConcept code;
  code.value = stringAttribute(*item, DCM_CodeValue);
  if (code.value.empty())
    code.value = stringAttribute(*item, DCM_LongCodeValue);
  if (code.value.empty())
    code.value = stringAttribute(*item, DCM_URNCodeValue);
  code.scheme = stringAttribute(*item, DCM_CodingSchemeDesignator);
  code.meaning = stringAttribute(*item, DCM_CodeMeaning);
  return code;
}
} // namespace

std::vector<SegSegment> readSegmentSequence(DcmItem& dataset, const std::string& what)
{
  DcmSequenceOfItems* sequence = nullptr;
  if (dataset.findAndGetSequence(DCM_SegmentSequence, sequence).bad() || sequence == nullptr ||
      sequence->card() == 0)
  {
    throw SegFormatError(what + " has no SegmentSequence");
  }
  std::vector<SegSegment> segments;
  for (unsigned long n = 0; n < sequence->card(); ++n)
  {
    DcmItem& item = *sequence->getItem(n);
    SegSegment segment;
    Uint16 number = 0;
    if (item.findAndGetUint16(DCM_SegmentNumber, number).bad() || number == 0)
    {
      throw SegFormatError(what + ": SegmentSequence item " + std::to_string(n + 1) +
                           " has no valid SegmentNumber");
    }
    segment.number = number;
    auto& description = segment.description;
    description.labelValue = number;
    description.label = stringAttribute(item, DCM_SegmentLabel);
    description.description = stringAttribute(item, DCM_SegmentDescription);
    segment.algorithmType = stringAttribute(item, DCM_SegmentAlgorithmType);
    description.algorithmName = stringAttribute(item, DCM_SegmentAlgorithmName);
    description.category = codeOf(sequenceItem(item, DCM_SegmentedPropertyCategoryCodeSequence));
    DcmItem* type = sequenceItem(item, DCM_SegmentedPropertyTypeCodeSequence);
    description.type = codeOf(type);
    // The modifier moved into the type code item in 2014; older SEGs keep it beside it.
    DcmItem* modifier =
        type ? sequenceItem(*type, DCM_SegmentedPropertyTypeModifierCodeSequence) : nullptr;
    if (modifier == nullptr)
      modifier = sequenceItem(item, DCM_SegmentedPropertyTypeModifierCodeSequence);
    if (modifier != nullptr)
      description.typeModifier = codeOf(modifier);
    Uint16 lab[3] = {0, 0, 0};
    for (unsigned long c = 0; c < 3; ++c)
      item.findAndGetUint16(DCM_RecommendedDisplayCIELabValue, lab[c], c);
    description.colour = {lab[0], lab[1], lab[2]};
    if (DcmItem* algorithm = sequenceItem(item, DCM_SegmentationAlgorithmIdentificationSequence))
    {
      if (description.algorithmName.empty())
        description.algorithmName = stringAttribute(*algorithm, DCM_AlgorithmName);
      description.algorithmVersion = stringAttribute(*algorithm, DCM_AlgorithmVersion);
    }
    segments.push_back(std::move(segment));
  }
  return segments;
}
} // namespace iris::dicom
