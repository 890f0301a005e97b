#pragma once

#include <cstdint>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <string>
#include <vector>

namespace iris::dicom
{
// Explicit VR Little Endian Part 10 bytes of `file`; SegEncodingError when DCMTK refuses.
std::vector<uint8_t> saveDicomBuffer(DcmFileFormat& file);

// Turns a failed DCMTK call into SegEncodingError("DCMTK could not <what>: <reason>").
void checkDcmtk(const OFCondition& status, const std::string& what);

// A new UID under `root`, or under DCMTK's site root when `root` is empty.
std::string newUid(const std::string& root);
} // namespace iris::dicom
