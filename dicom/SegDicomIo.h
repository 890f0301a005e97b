#pragma once

#include <cstdint>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace iris::dicom
{
// DCMTK file and buffer plumbing shared by the SEG writer, reader and source loader. Failures
// raise SegError subclasses naming `what` (a path or "buffer"): NotASegError when the bytes
// are not DICOM at all, SegFormatError when they are DICOM but unreadable (e.g. truncated).
std::unique_ptr<DcmFileFormat> loadDicomFile(const std::filesystem::path& path,
                                             bool stopBeforePixelData = false);
std::unique_ptr<DcmFileFormat> loadDicomBuffer(const std::vector<uint8_t>& bytes,
                                               const std::string& what = "buffer");

// Explicit VR Little Endian Part 10 bytes.
std::vector<uint8_t> saveDicomBuffer(DcmFileFormat& file);

// The element's whole value as a string ("" when absent), e.g. "1\\0\\0\\0\\1\\0" for IOP.
std::string stringOf(DcmItem& item, const DcmTagKey& tag);
// The first item of a sequence, or null.
DcmItem* firstItemOf(DcmItem& item, const DcmTagKey& sequence);

// A new UID under `root`, or under DCMTK's site root when `root` is empty.
std::string newUid(const std::string& root);
} // namespace iris::dicom
