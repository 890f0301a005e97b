#include "dicom/Png.h"

#include <fstream>
#include <stdexcept>
#include <zlib.h>

namespace iris::dicom
{
namespace
{
void appendBigEndian(std::string& out, uint32_t value)
{
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

// A chunk is length, type, data, and a CRC over type and data.
void appendChunk(std::string& out, const char type[4], const std::string& data)
{
  appendBigEndian(out, static_cast<uint32_t>(data.size()));
  const size_t typeStart = out.size();
  out.append(type, 4);
  out += data;
  const auto* crcStart = reinterpret_cast<const Bytef*>(out.data() + typeStart);
  appendBigEndian(out,
                  static_cast<uint32_t>(crc32(0L, crcStart, static_cast<uInt>(4 + data.size()))));
}
} // namespace

std::string encodePng(const RgbImage& image)
{
  if (image.width == 0 || image.height == 0 || image.rgb.size() != image.width * image.height * 3)
    throw std::invalid_argument("PNG: the image is empty or its pixel buffer does not hold " +
                                std::to_string(image.width) + "x" + std::to_string(image.height) +
                                " RGB pixels");
  // Every scanline starts with its filter type; 0 (none) keeps the encoder trivial.
  const size_t stride = image.width * 3;
  std::string raw;
  raw.reserve((stride + 1) * image.height);
  for (size_t y = 0; y < image.height; ++y)
  {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(&image.rgb[y * stride]), stride);
  }
  uLongf compressedSize = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressedSize, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressedSize,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_SPEED) != Z_OK)
    throw std::runtime_error("PNG: zlib could not compress the image");
  compressed.resize(compressedSize);

  std::string header;
  appendBigEndian(header, static_cast<uint32_t>(image.width));
  appendBigEndian(header, static_cast<uint32_t>(image.height));
  header += std::string("\x08\x02\x00\x00\x00", 5); // 8 bits, RGB, deflate, no filter, no interlace

  std::string png("\x89PNG\r\n\x1a\n", 8);
  appendChunk(png, "IHDR", header);
  appendChunk(png, "IDAT", compressed);
  appendChunk(png, "IEND", "");
  return png;
}

void writePng(const std::filesystem::path& path, const RgbImage& image)
{
  const std::string bytes = encodePng(image);
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file)
    throw std::runtime_error("PNG: cannot write " + path.string());
}
} // namespace iris::dicom
