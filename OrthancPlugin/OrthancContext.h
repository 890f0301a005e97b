#pragma once

#include <string>

struct _OrthancPluginContext_t;
typedef struct _OrthancPluginContext_t OrthancPluginContext;

namespace iris::plugin
{
// The single Orthanc context this plugin was initialised with, and the few core services the
// glue uses directly. Everything returned by the SDK is copied and freed here.
void setContext(OrthancPluginContext* context);
OrthancPluginContext* context();

void logInfo(const std::string& message);
void logWarning(const std::string& message);
void logError(const std::string& message);

std::string orthancVersion();
std::string configurationJson();
// The configuration file (or folder) Orthanc was started with; empty if unknown.
std::string configurationPath();
} // namespace iris::plugin
