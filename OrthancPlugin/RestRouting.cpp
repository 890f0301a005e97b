#include "OrthancPlugin/RestRouting.h"

#include "OrthancPlugin/OrthancContext.h"

#include <orthanc/OrthancCPlugin.h>
#include <regex>

namespace iris::plugin
{
namespace
{
struct RegisteredRoute
{
  Route route;
  std::regex pattern;
};

// Filled during OrthancPluginInitialize only, read-only afterwards.
std::vector<RegisteredRoute>& routes()
{
  static std::vector<RegisteredRoute> all;
  return all;
}

const char* methodName(OrthancPluginHttpMethod method)
{
  switch (method)
  {
  case OrthancPluginHttpMethod_Get:
    return "GET";
  case OrthancPluginHttpMethod_Post:
    return "POST";
  case OrthancPluginHttpMethod_Put:
    return "PUT";
  case OrthancPluginHttpMethod_Delete:
    return "DELETE";
  default:
    return "UNKNOWN";
  }
}

const RestHandler* handlerFor(const Route& route, const std::string& method)
{
  const RestHandler* handler = method == "GET"      ? &route.get
                               : method == "POST"   ? &route.post
                               : method == "PUT"    ? &route.put
                               : method == "DELETE" ? &route.remove
                                                    : nullptr;
  return handler && *handler ? handler : nullptr;
}

std::string allowedMethods(const Route& route)
{
  std::string allowed;
  for (const char* method : {"GET", "POST", "PUT", "DELETE"})
  {
    if (handlerFor(route, method))
    {
      allowed += allowed.empty() ? method : std::string(",") + method;
    }
  }
  return allowed;
}

void send(OrthancPluginRestOutput* output, const RestAnswer& answer)
{
  if (answer.status == 200)
  {
    OrthancPluginAnswerBuffer(context(), output, answer.body.data(),
                              static_cast<uint32_t>(answer.body.size()),
                              answer.contentType.c_str());
  }
  else
  {
    OrthancPluginSendHttpStatus(context(), output, answer.status, answer.body.data(),
                                static_cast<uint32_t>(answer.body.size()));
  }
}

RestAnswer errorAnswer(uint16_t status, const std::string& message)
{
  return RestAnswer::json({{"error", message}}, status);
}

RestRequest makeRequest(const std::string& method, const char* url,
                        const OrthancPluginHttpRequest* request)
{
  RestRequest result;
  result.method = method;
  result.url = url;
  for (uint32_t i = 0; i < request->groupsCount; ++i)
  {
    result.groups.emplace_back(request->groups[i]);
  }
  for (uint32_t i = 0; i < request->getCount; ++i)
  {
    result.query[request->getKeys[i]] = request->getValues[i];
  }
  for (uint32_t i = 0; i < request->headersCount; ++i)
  {
    result.headers[request->headersKeys[i]] = request->headersValues[i];
  }
  if (request->body != nullptr)
  {
    result.body.assign(static_cast<const char*>(request->body), request->bodySize);
  }
  return result;
}

// Orthanc consumes every multipart/form-data POST itself (its upload form): it calls the route
// once per part, with that part's headers, and answers 200 whatever the route says. Only an
// error code reaches the client, so such a call fails with this one (415 and how to send it).
OrthancPluginErrorCode formDataRefused()
{
  static const OrthancPluginErrorCode code = OrthancPluginRegisterErrorCode(
      context(), 1, 415,
      "Iris: Orthanc does not pass multipart/form-data bodies to plugins; send the same body as "
      "multipart/mixed (curl -H 'Content-Type: multipart/mixed' -F ...)");
  return code;
}

bool isFormDataPart(const OrthancPluginHttpRequest* request)
{
  for (uint32_t i = 0; i < request->headersCount; ++i)
  {
    if (std::string(request->headersKeys[i]) == "content-disposition")
    {
      return true;
    }
  }
  return false;
}

OrthancPluginErrorCode dispatch(OrthancPluginRestOutput* output, const char* url,
                                const OrthancPluginHttpRequest* request)
{
  try
  {
    if (isFormDataPart(request))
    {
      return formDataRefused();
    }
    const std::string method = methodName(request->method);
    const Route* route = nullptr;
    for (const auto& candidate : routes())
    {
      if (std::regex_match(url, candidate.pattern))
      {
        route = &candidate.route;
        break;
      }
    }
    if (route == nullptr)
    {
      send(output, errorAnswer(404, std::string("No Iris route for ") + url));
      return OrthancPluginErrorCode_Success;
    }
    const RestHandler* handler = handlerFor(*route, method);
    if (handler == nullptr)
    {
      OrthancPluginSendMethodNotAllowed(context(), output, allowedMethods(*route).c_str());
      return OrthancPluginErrorCode_Success;
    }
    if (request->bodySize > route->maxBodyBytes)
    {
      send(output, errorAnswer(413, "Request body of " + std::to_string(request->bodySize) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(route->maxBodyBytes) + " bytes"));
      return OrthancPluginErrorCode_Success;
    }
    try
    {
      send(output, (*handler)(makeRequest(method, url, request)));
    }
    catch (const HttpError& error)
    {
      send(output, errorAnswer(error.status(), error.what()));
    }
    catch (const nlohmann::json::exception& error)
    {
      send(output, errorAnswer(400, std::string("Invalid JSON: ") + error.what()));
    }
    catch (const std::exception& error)
    {
      logError(method + " " + url + " failed: " + error.what());
      send(output, errorAnswer(500, error.what()));
    }
    return OrthancPluginErrorCode_Success;
  }
  catch (...)
  {
    // Nothing may escape into Orthanc; report a plugin error without further detail.
    return OrthancPluginErrorCode_Plugin;
  }
}
} // namespace

RestAnswer RestAnswer::json(const nlohmann::json& value, uint16_t status, int indent)
{
  RestAnswer answer;
  answer.status = status;
  // Messages may quote what a client sent (a percent-decoded name, a JSON parser's excerpt),
  // which need not be UTF-8; replacing such bytes keeps the answer from throwing.
  answer.body = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  return answer;
}

void registerRoute(Route route)
{
  std::regex pattern(route.regex);
  const std::string regex = route.regex;
  routes().push_back({std::move(route), std::move(pattern)});
  formDataRefused(); // registered while the plugin initializes
  OrthancPluginRegisterRestCallbackNoLock(context(), regex.c_str(), dispatch);
}
} // namespace iris::plugin
