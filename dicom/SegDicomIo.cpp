#include "dicom/SegDicomIo.h"

#include "dicom/SegErrors.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>

namespace iris::dicom
{
std::vector<uint8_t> saveDicomBuffer(DcmFileFormat& file)
{
  const E_TransferSyntax syntax = EXS_LittleEndianExplicit;
  OFCondition status = file.validateMetaInfo(syntax);
  if (status.bad())
  {
    throw SegEncodingError(std::string("cannot build the DICOM meta header: ") + status.text());
  }
  file.removeInvalidGroups();
  std::vector<uint8_t> buffer(file.calcElementLength(syntax, EET_ExplicitLength) + 1024);
  DcmOutputBufferStream stream(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  file.transferInit();
  status =
      file.write(stream, syntax, EET_ExplicitLength, nullptr, EGL_recalcGL, EPD_withoutPadding);
  file.transferEnd();
  if (status.bad())
  {
    throw SegEncodingError(std::string("cannot serialise the SEG: ") + status.text());
  }
  stream.flush();
  buffer.resize(static_cast<size_t>(stream.tell()));
  return buffer;
}

void checkDcmtk(const OFCondition& status, const std::string& what)
{
  if (status.bad())
  {
    throw SegEncodingError("DCMTK could not " + what + ": " + status.text());
  }
}

std::string newUid(const std::string& root)
{
  char buffer[100];
  dcmGenerateUniqueIdentifier(buffer, root.empty() ? SITE_INSTANCE_UID_ROOT : root.c_str());
  return buffer;
}
} // namespace iris::dicom
