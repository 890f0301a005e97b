#include "dicom/DicomInput.h"

#include "dicom/DicomError.h"

#include <cstdlib>
#include <cstring>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <fstream>
#include <mutex>

namespace iris::dicom
{
namespace
{
bool hasPart10Preamble(std::string_view head)
{
  return head.size() >= 132 && std::memcmp(head.data() + 128, "DICM", 4) == 0;
}

// DCMTK happily parses a few bytes of anything as a raw dataset; a real one names its class or
// describes an image.
void requireDicomContent(DcmFileFormat& file, const std::string& name)
{
  DcmDataset& dataset = *file.getDataset();
  if (sopClassUidOf(file).empty() && !dataset.tagExists(DCM_Rows) &&
      !dataset.tagExists(DCM_PixelData))
  {
    throw DicomReadError(name + " is not a DICOM file (no SOP Class UID and no image attributes)");
  }
}

constexpr size_t kPaddingWorthTrimming = 4096;

bool endsInZeros(std::string_view bytes)
{
  if (bytes.size() < kPaddingWorthTrimming)
  {
    return false;
  }
  const std::string_view tail = bytes.substr(bytes.size() - kPaddingWorthTrimming);
  return tail.find_first_not_of('\0') == std::string_view::npos;
}

uint32_t littleEndian32(const char* data)
{
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  return bytes[0] | bytes[1] << 8 | bytes[2] << 16 | static_cast<uint32_t>(bytes[3]) << 24;
}

// Some writers pad files with megabytes of zeros after the Pixel Data; DCMTK parses each 8 zero
// bytes as an element (with a warning), which takes seconds. Returns the length up to the end of
// a defined-length Pixel Data element that reaches into the trailing zeros, or 0.
size_t lengthWithoutPadding(std::string_view bytes)
{
  size_t end = bytes.size();
  while (end > 0 && bytes[end - 1] == '\0')
  {
    --end;
  }
  const char pixelDataTag[4] = {'\xE0', '\x7F', '\x10', '\x00'};
  for (size_t at = std::min(end, bytes.size() - 12); at-- > 0;)
  {
    if (std::memcmp(bytes.data() + at, pixelDataTag, 4) != 0)
    {
      continue;
    }
    const std::string_view vr = bytes.substr(at + 4, 2);
    const bool explicitVr = vr == "OW" || vr == "OB";
    const size_t header = explicitVr ? 12 : 8;
    const uint32_t length = littleEndian32(bytes.data() + at + header - 4);
    const size_t valueEnd = at + header + length;
    if (length != 0xFFFFFFFFu && valueEnd >= end && valueEnd <= bytes.size())
    {
      return valueEnd;
    }
  }
  return 0;
}

[[noreturn]] void throwReadFailure(const std::string& name, bool part10, const OFCondition& status)
{
  throw DicomReadError(
      name + (part10 ? " is a truncated or malformed DICOM file (" : " is not a DICOM file (") +
      status.text() + ")");
}
} // namespace

void registerDicomCodecs()
{
  static std::once_flag once;
  std::call_once(once,
                 []
                 {
                   DJDecoderRegistration::registerCodecs();
                   DJLSDecoderRegistration::registerCodecs();
                   DcmRLEDecoderRegistration::registerCodecs();
                 });
}

std::unique_ptr<DcmFileFormat> openDicomFile(const std::filesystem::path& path)
{
  const std::string name = "\"" + path.string() + "\"";
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
  {
    throw DicomReadError(name + " does not exist or is not a regular file");
  }
  std::string head(132, '\0');
  {
    std::ifstream in(path, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
  }
  const bool part10 = hasPart10Preamble(head);
  std::string tail(kPaddingWorthTrimming, '\0');
  {
    std::ifstream in(path, std::ios::binary);
    in.seekg(-static_cast<std::streamoff>(tail.size()), std::ios::end);
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    if (in && endsInZeros(tail))
    {
      return openDicomBytes(readFileBytes(path), name);
    }
  }
  auto file = std::make_unique<DcmFileFormat>();
  const OFCondition status =
      file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                     part10 ? ERM_fileOnly : ERM_autoDetect);
  if (status.bad())
  {
    throwReadFailure(name, part10, status);
  }
  requireDicomContent(*file, name);
  return file;
}

std::unique_ptr<DcmFileFormat> openDicomBytes(std::string_view bytes, const std::string& name)
{
  if (endsInZeros(bytes))
  {
    if (const size_t length = lengthWithoutPadding(bytes))
    {
      bytes = bytes.substr(0, length);
    }
  }
  const bool part10 = hasPart10Preamble(bytes);
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
    throwReadFailure(name, part10, status);
  }
  requireDicomContent(*file, name);
  return file;
}

std::string readFileBytes(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::string content(std::filesystem::file_size(path), '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (!in)
  {
    throw DicomReadError("Cannot read \"" + path.string() + "\"");
  }
  return content;
}

std::string stringAttribute(DcmItem& item, const DcmTagKey& tag)
{
  OFString value;
  if (item.findAndGetOFStringArray(tag, value).bad())
  {
    return {};
  }
  return std::string(value.c_str(), value.length());
}

std::optional<double> numberAttribute(DcmItem& item, const DcmTagKey& tag, unsigned long index)
{
  Float64 number = 0;
  if (item.findAndGetFloat64(tag, number, index).good())
  {
    return number;
  }
  OFString text; // IS, or decimal text DCMTK would not convert
  if (item.findAndGetOFString(tag, text, index).bad() || text.empty())
  {
    return std::nullopt;
  }
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (end == text.c_str())
  {
    return std::nullopt;
  }
  return parsed;
}

std::vector<double> numbersAttribute(DcmItem& item, const DcmTagKey& tag)
{
  DcmElement* element = nullptr;
  if (item.findAndGetElement(tag, element).bad() || element == nullptr)
  {
    return {};
  }
  std::vector<double> values;
  for (unsigned long index = 0; index < element->getVM(); ++index)
  {
    const auto value = numberAttribute(item, tag, index);
    if (!value)
    {
      return {};
    }
    values.push_back(*value);
  }
  return values;
}

DcmItem* sequenceItem(DcmItem& item, const DcmTagKey& sequence, unsigned long index)
{
  DcmItem* found = nullptr;
  if (item.findAndGetSequenceItem(sequence, found, static_cast<signed long>(index)).bad())
  {
    return nullptr;
  }
  return found;
}

std::string sopClassUidOf(DcmFileFormat& file)
{
  std::string uid = stringAttribute(*file.getDataset(), DCM_SOPClassUID);
  return uid.empty() ? stringAttribute(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID) : uid;
}

std::string sopInstanceUidOf(DcmFileFormat& file)
{
  std::string uid = stringAttribute(*file.getDataset(), DCM_SOPInstanceUID);
  return uid.empty() ? stringAttribute(*file.getMetaInfo(), DCM_MediaStorageSOPInstanceUID) : uid;
}
} // namespace iris::dicom
