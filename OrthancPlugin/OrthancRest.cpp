#include "OrthancPlugin/OrthancRest.h"

#include "OrthancPlugin/OrthancContext.h"

#include <orthanc/OrthancCPlugin.h>

namespace iris::plugin
{
namespace
{
// Owns a buffer the SDK filled; frees it whatever happens.
class MemoryBuffer
{
public:
  MemoryBuffer() { buffer_.data = nullptr, buffer_.size = 0; }
  ~MemoryBuffer() { OrthancPluginFreeMemoryBuffer(context(), &buffer_); }
  MemoryBuffer(const MemoryBuffer&) = delete;
  MemoryBuffer& operator=(const MemoryBuffer&) = delete;

  OrthancPluginMemoryBuffer* get() { return &buffer_; }
  std::string text() const
  {
    return buffer_.data ? std::string(static_cast<const char*>(buffer_.data), buffer_.size)
                        : std::string();
  }

private:
  OrthancPluginMemoryBuffer buffer_;
};

void check(OrthancPluginErrorCode code, const char* method, const std::string& uri)
{
  if (code != OrthancPluginErrorCode_Success)
  {
    throw OrthancRestError(method, uri, static_cast<int>(code));
  }
}
} // namespace

OrthancRestError::OrthancRestError(const std::string& method, const std::string& uri, int code)
    : std::runtime_error(
          "Orthanc " + method + " " + uri + " failed: " +
          OrthancPluginGetErrorDescription(context(), static_cast<OrthancPluginErrorCode>(code)) +
          " (error " + std::to_string(code) + ")"),
      code_(code)
{
}

bool OrthancRestError::notFound() const
{
  return code_ == OrthancPluginErrorCode_UnknownResource ||
         code_ == OrthancPluginErrorCode_InexistentItem;
}

std::string restGet(const std::string& uri)
{
  MemoryBuffer answer;
  check(OrthancPluginRestApiGet(context(), answer.get(), uri.c_str()), "GET", uri);
  return answer.text();
}

nlohmann::json restGetJson(const std::string& uri)
{
  return nlohmann::json::parse(restGet(uri));
}

nlohmann::json restPostJson(const std::string& uri, const std::string& body)
{
  MemoryBuffer answer;
  check(OrthancPluginRestApiPost(context(), answer.get(), uri.c_str(), body.data(),
                                 static_cast<uint32_t>(body.size())),
        "POST", uri);
  return nlohmann::json::parse(answer.text());
}

void restPut(const std::string& uri, const std::string& body)
{
  MemoryBuffer answer;
  check(OrthancPluginRestApiPut(context(), answer.get(), uri.c_str(), body.data(),
                                static_cast<uint32_t>(body.size())),
        "PUT", uri);
}
} // namespace iris::plugin
