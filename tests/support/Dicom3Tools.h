#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace iris::test
{
// The "Error" lines of a dicom3tools report (dciodvfy, dcentvfy).
std::vector<std::string> dicom3toolsErrors(const std::string& report);

// The "Error" lines dciodvfy reports for a SEG (empty when the file conforms), plus one when it
// does not recognise the file as a Segmentation at all.
std::vector<std::string> dciodvfyErrors(const std::filesystem::path& file);
} // namespace iris::test
