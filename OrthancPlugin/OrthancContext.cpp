#include "OrthancPlugin/OrthancContext.h"

#include <orthanc/OrthancCPlugin.h>

namespace iris::plugin
{
namespace
{
OrthancPluginContext* globalContext = nullptr;

std::string takeString(char* value)
{
  if (value == nullptr)
  {
    return {};
  }
  std::string copy(value);
  OrthancPluginFreeString(globalContext, value);
  return copy;
}

std::string prefixed(const std::string& message)
{
  return "Iris: " + message;
}
} // namespace

void setContext(OrthancPluginContext* context)
{
  globalContext = context;
}

OrthancPluginContext* context()
{
  return globalContext;
}

void logInfo(const std::string& message)
{
  OrthancPluginLogInfo(globalContext, prefixed(message).c_str());
}

void logWarning(const std::string& message)
{
  OrthancPluginLogWarning(globalContext, prefixed(message).c_str());
}

void logError(const std::string& message)
{
  OrthancPluginLogError(globalContext, prefixed(message).c_str());
}

std::string orthancVersion()
{
  return globalContext->orthancVersion ? globalContext->orthancVersion : "unknown";
}

std::string configurationJson()
{
  return takeString(OrthancPluginGetConfiguration(globalContext));
}

std::string configurationPath()
{
  return takeString(OrthancPluginGetConfigurationPath(globalContext));
}
} // namespace iris::plugin
