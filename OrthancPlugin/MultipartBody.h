#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace iris::plugin
{
// A multipart body that cannot be split; the message says what was expected where.
class InvalidMultipart : public std::invalid_argument
{
public:
  using std::invalid_argument::invalid_argument;
};

// One part of a multipart body (RFC 2046), as curl -F writes them. `content` points into the
// parsed body, which must outlive the part.
struct MultipartPart
{
  std::string name;     // Content-Disposition's name parameter ("" when absent)
  std::string filename; // Content-Disposition's filename parameter ("" when absent)
  std::string contentType;
  std::string_view content;
};

// The boundary of a "multipart/<subtype>; boundary=..." Content-Type; throws InvalidMultipart
// for another type or a missing or invalid boundary.
std::string multipartBoundary(const std::string& contentType);

// Splits `body` at `boundary` without copying the parts' bytes. Throws InvalidMultipart for a
// body that does not start with the boundary, a part without its blank line after the headers,
// or a missing closing boundary.
std::vector<MultipartPart> splitMultipart(std::string_view body, const std::string& boundary);
} // namespace iris::plugin
