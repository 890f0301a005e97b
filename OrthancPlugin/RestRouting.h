#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace iris::plugin
{
struct RestRequest
{
  std::string method; // "GET", "POST", "PUT" or "DELETE"
  std::string url;
  std::vector<std::string> groups; // capture groups of the route's regex
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers; // names in lower case, as Orthanc gives them
  std::string body;
};

struct RestAnswer
{
  uint16_t status = 200;
  std::string contentType = "application/json";
  std::string body;

  // indent -1: one line, for large documents (an export is thousands of numbers per class),
  // which indentation would double in size.
  static RestAnswer json(const nlohmann::json& value, uint16_t status = 200, int indent = 2);
};

// Thrown by handlers to answer 4xx/5xx with {"error": message}.
class HttpError : public std::runtime_error
{
public:
  HttpError(uint16_t status, const std::string& message)
      : std::runtime_error(message), status_(status)
  {
  }
  uint16_t status() const { return status_; }

private:
  uint16_t status_;
};

using RestHandler = std::function<RestAnswer(const RestRequest&)>;

struct Route
{
  std::string regex; // Orthanc route regex, e.g. "/iris/tasks/([a-z0-9-]+)"
  RestHandler get;
  RestHandler post;
  RestHandler put;
  RestHandler remove;
  size_t maxBodyBytes = 1 << 20;
};

// Registers the route with Orthanc. The shared trampoline catches every exception, so none
// crosses the C ABI: HttpError becomes its status, anything else a 500 with the reason.
void registerRoute(Route route);
} // namespace iris::plugin
