#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace iris::dicom
{
// An 8-bit RGB picture, rows top to bottom, 3 bytes per pixel.
struct RgbImage
{
  size_t width = 0;
  size_t height = 0;
  std::vector<uint8_t> rgb;

  RgbImage() = default;
  RgbImage(size_t w, size_t h) : width(w), height(h), rgb(w * h * 3, 0) {}
  uint8_t* pixel(size_t x, size_t y) { return &rgb[(y * width + x) * 3]; }
};

// PNG bytes (8-bit RGB, no interlace), for files and for HTTP answers alike. Throws
// std::invalid_argument for an empty or inconsistent image.
std::string encodePng(const RgbImage& image);
void writePng(const std::filesystem::path& path, const RgbImage& image);
} // namespace iris::dicom
