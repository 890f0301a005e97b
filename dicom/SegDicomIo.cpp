#include "dicom/SegDicomIo.h"

#include "dicom/SegErrors.h"

#include <cstring>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <fstream>

namespace iris::dicom
{
namespace
{
bool hasPart10Preamble(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  char header[132] = {};
  return in.read(header, sizeof header) && std::memcmp(header + 128, "DICM", 4) == 0;
}

[[noreturn]] void throwLoadFailure(const std::string& what, bool looksLikeDicom,
                                   const OFCondition& status)
{
  if (!looksLikeDicom)
  {
    throw NotASegError(what + " is not a DICOM file (" + status.text() + ")");
  }
  throw SegFormatError(what + " is a truncated or malformed DICOM file (" + status.text() + ")");
}
} // namespace

std::unique_ptr<DcmFileFormat> loadDicomFile(const std::filesystem::path& path,
                                             bool stopBeforePixelData)
{
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
  {
    throw NotASegError(path.string() + " does not exist or is not a regular file");
  }
  auto file = std::make_unique<DcmFileFormat>();
  const bool part10 = hasPart10Preamble(path);
  // Without a preamble DCMTK would parse any bytes as a raw dataset; insist on Part 10.
  const OFCondition status = file->loadFileUntilTag(
      path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly,
      stopBeforePixelData ? DCM_PixelData : DCM_UndefinedTagKey);
  if (status.bad())
  {
    throwLoadFailure(path.string(), part10, status);
  }
  return file;
}

std::unique_ptr<DcmFileFormat> loadDicomBuffer(const std::vector<uint8_t>& bytes,
                                               const std::string& what)
{
  const bool part10 = bytes.size() >= 132 && std::memcmp(bytes.data() + 128, "DICM", 4) == 0;
  if (!part10)
  {
    throw NotASegError(what + " is not a DICOM Part 10 stream (no DICM preamble)");
  }
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  auto file = std::make_unique<DcmFileFormat>();
  file->transferInit();
  OFCondition status = file->read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file->transferEnd();
  if (status.good())
  {
    status = file->loadAllDataIntoMemory();
  }
  if (status.bad())
  {
    throwLoadFailure(what, true, status);
  }
  return file;
}

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

std::string stringOf(DcmItem& item, const DcmTagKey& tag)
{
  OFString value;
  if (item.findAndGetOFStringArray(tag, value).bad())
  {
    return {};
  }
  return value.c_str();
}

DcmItem* firstItemOf(DcmItem& item, const DcmTagKey& sequence)
{
  DcmItem* first = nullptr;
  if (item.findAndGetSequenceItem(sequence, first, 0).bad())
  {
    return nullptr;
  }
  return first;
}

std::string newUid(const std::string& root)
{
  char buffer[100];
  dcmGenerateUniqueIdentifier(buffer, root.empty() ? SITE_INSTANCE_UID_ROOT : root.c_str());
  return buffer;
}
} // namespace iris::dicom
