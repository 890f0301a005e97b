#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace iris::plugin
{
// A call into Orthanc's own REST API failed; carries the URI and Orthanc's error code.
class OrthancRestError : public std::runtime_error
{
public:
  OrthancRestError(const std::string& method, const std::string& uri, int code);
  int code() const { return code_; }
  bool notFound() const;

private:
  int code_;
};

// Orthanc's REST API from inside the plugin (no HTTP, no authentication). Never call these from
// the change callback: Orthanc may deadlock.
std::string restGet(const std::string& uri);
nlohmann::json restGetJson(const std::string& uri);
nlohmann::json restPostJson(const std::string& uri, const std::string& body);
void restPut(const std::string& uri, const std::string& body);
} // namespace iris::plugin
