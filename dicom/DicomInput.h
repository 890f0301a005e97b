#pragma once

#include <array>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iris::dicom
{
// Registers DCMTK's JPEG, JPEG-LS and RLE decoders, once per process. They are never cleaned
// up: inside Orthanc the plugin shares the DCMTK libraries (and their codec list) with the core.
void registerDicomCodecs();

// Parses a DICOM file (Part 10, or a raw dataset) or in-memory bytes. Large values such as Pixel
// Data are read on first access for files, so opening many files is cheap. Throws
// DicomReadError naming `name` (or the path) when the input is missing, not DICOM or truncated.
std::unique_ptr<DcmFileFormat> openDicomFile(const std::filesystem::path& path);
std::unique_ptr<DcmFileFormat> openDicomBytes(std::string_view bytes, const std::string& name);

// The whole file, for decoders that need an instance's bytes. Throws DicomReadError.
std::string readFileBytes(const std::filesystem::path& path);

// Attribute access that treats absent and empty alike (std::nullopt / "").
std::string stringAttribute(DcmItem& item, const DcmTagKey& tag);
std::optional<double> numberAttribute(DcmItem& item, const DcmTagKey& tag, unsigned long index = 0);
// All values of a multi-valued decimal attribute (e.g. ImagePositionPatient); empty if absent.
std::vector<double> numbersAttribute(DcmItem& item, const DcmTagKey& tag);
// Item `index` of a sequence, or null.
DcmItem* sequenceItem(DcmItem& item, const DcmTagKey& sequence, unsigned long index = 0);

// SOP Class / Instance UID from the dataset, else from the file meta (anonymisers sometimes
// blank the dataset copy and keep the meta one).
std::string sopClassUidOf(DcmFileFormat& file);
std::string sopInstanceUidOf(DcmFileFormat& file);
} // namespace iris::dicom
