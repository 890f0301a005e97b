#include "OrthancPlugin/MultipartBody.h"

#include <algorithm>
#include <cctype>

namespace iris::plugin
{
namespace
{
std::string lowerCase(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trimmed(std::string_view text)
{
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos)
  {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// The value of `name=value` or `name="value"` among the ';'-separated parameters of a header.
std::string headerParameter(const std::string& header, const std::string& name)
{
  size_t position = header.find(';');
  while (position != std::string::npos)
  {
    const size_t next = header.find(';', position + 1);
    const std::string item = trimmed(std::string_view(header).substr(
        position + 1, next == std::string::npos ? std::string::npos : next - position - 1));
    const size_t equals = item.find('=');
    if (equals != std::string::npos && lowerCase(trimmed(item.substr(0, equals))) == name)
    {
      std::string value = trimmed(item.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    position = next;
  }
  return {};
}

MultipartPart parsePart(std::string_view part, size_t index)
{
  const size_t headersEnd = part.find("\r\n\r\n");
  if (headersEnd == std::string_view::npos)
  {
    throw InvalidMultipart("multipart part " + std::to_string(index + 1) +
                           ": no blank line after its headers");
  }
  MultipartPart parsed;
  parsed.content = part.substr(headersEnd + 4);
  std::string_view headers = part.substr(0, headersEnd);
  while (!headers.empty())
  {
    const size_t end = std::min(headers.find("\r\n"), headers.size());
    const std::string line(headers.substr(0, end));
    headers.remove_prefix(std::min(end + 2, headers.size()));
    const size_t colon = line.find(':');
    if (colon == std::string::npos)
    {
      continue;
    }
    const std::string key = lowerCase(trimmed(std::string_view(line).substr(0, colon)));
    const std::string value = trimmed(std::string_view(line).substr(colon + 1));
    if (key == "content-disposition")
    {
      parsed.name = headerParameter(value, "name");
      parsed.filename = headerParameter(value, "filename");
    }
    else if (key == "content-type")
    {
      parsed.contentType = value;
    }
  }
  return parsed;
}
} // namespace

std::string multipartBoundary(const std::string& contentType)
{
  if (lowerCase(contentType).compare(0, 10, "multipart/") != 0)
  {
    throw InvalidMultipart("expected a multipart body, got Content-Type \"" + contentType + "\"");
  }
  const std::string boundary = headerParameter(contentType, "boundary");
  // RFC 2046: 1 to 70 characters.
  if (boundary.empty() || boundary.size() > 70)
  {
    throw InvalidMultipart("Content-Type \"" + contentType +
                           "\" has no valid boundary parameter (1 to 70 characters)");
  }
  return boundary;
}

std::vector<MultipartPart> splitMultipart(std::string_view body, const std::string& boundary)
{
  const std::string delimiter = "--" + boundary;
  if (body.compare(0, delimiter.size(), delimiter) != 0)
  {
    throw InvalidMultipart("the body does not start with the multipart boundary \"" + delimiter +
                           "\"");
  }
  const std::string separator = "\r\n" + delimiter;
  std::vector<MultipartPart> parts;
  size_t position = delimiter.size();
  while (true)
  {
    if (body.compare(position, 2, "--") == 0)
    {
      return parts; // the closing delimiter; an epilogue after it is ignored
    }
    if (body.compare(position, 2, "\r\n") != 0)
    {
      throw InvalidMultipart("multipart boundary " + std::to_string(parts.size() + 1) +
                             " is not followed by a line break or \"--\"");
    }
    position += 2;
    const size_t end = body.find(separator, position);
    if (end == std::string_view::npos)
    {
      throw InvalidMultipart("multipart part " + std::to_string(parts.size() + 1) +
                             " has no closing boundary (truncated body?)");
    }
    parts.push_back(parsePart(body.substr(position, end - position), parts.size()));
    position = end + separator.size();
  }
}
} // namespace iris::plugin
