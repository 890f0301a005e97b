#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace iris::test
{
struct HttpResponse
{
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;

  nlohmann::json json() const;
};

// A blocking HTTP/1.1 client for 127.0.0.1 only, with optional basic authentication.
class HttpClient
{
public:
  explicit HttpClient(int port, std::string user = {}, std::string password = {});

  HttpResponse get(const std::string& target) const;
  HttpResponse post(const std::string& target, const std::string& body,
                    const std::string& contentType = "application/json") const;
  HttpResponse put(const std::string& target, const std::string& body,
                   const std::string& contentType = "application/json") const;
  HttpResponse remove(const std::string& target) const;

  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body, const std::string& contentType) const;

  // The same client without credentials.
  HttpClient anonymous() const { return HttpClient(port_); }

private:
  int port_;
  std::string user_;
  std::string password_;
};
} // namespace iris::test
