#include "OrthancPlugin/AdminRequest.h"

#include "OrthancPlugin/OrthancSeriesLoader.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/TaskDefinition.h"

#include <cctype>

namespace iris::plugin
{
nlohmann::json jsonBody(const RestRequest& request)
{
  if (request.body.empty())
  {
    throw HttpError(400, "Expected a JSON body");
  }
  try
  {
    return nlohmann::json::parse(request.body);
  }
  catch (const nlohmann::json::parse_error& error)
  {
    throw HttpError(400, std::string("The body is not valid JSON: ") + error.what());
  }
}

const std::string& checkedTaskId(const std::string& id)
{
  if (!isValidTaskId(id))
  {
    throw HttpError(400, "\"" + id +
                             "\" is not a task id (lower-case letters, digits, '.', '_' and '-')");
  }
  return id;
}

const std::string& checkedOrthancId(const std::string& id, const std::string& what)
{
  if (!isOrthancId(id))
  {
    throw HttpError(400, "\"" + id + "\" is not an Orthanc " + what + " id");
  }
  return id;
}

int64_t integerParameter(const std::string& text, const std::string& name, int64_t minimum,
                         int64_t maximum)
{
  const bool digits =
      !text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  const int64_t value = digits ? std::stoll(text) : -1;
  if (!digits || value < minimum || value > maximum)
  {
    throw HttpError(400, name + ": expected an integer from " + std::to_string(minimum) + " to " +
                             std::to_string(maximum) + ", got \"" + text + "\"");
  }
  return value;
}

std::optional<std::string> queryParameter(const RestRequest& request, const std::string& name)
{
  const auto found = request.query.find(name);
  if (found == request.query.end() || found->second.empty())
  {
    return std::nullopt;
  }
  return found->second;
}

std::string checkedStrategy(const nlohmann::json& value)
{
  if (!value.is_string() || !isKnownStrategy(value.get<std::string>()))
  {
    throw HttpError(400, "strategy: expected one of one-shot, ensemble, retrieval, tuning, "
                         "memory-bank; got " +
                             value.dump());
  }
  return value.get<std::string>();
}

TaskDefinition withRunStrategy(const TaskDefinition& task, const std::string& strategy)
{
  try
  {
    return task.withStrategy(strategy);
  }
  catch (const InvalidTask& error)
  {
    throw HttpError(400, "strategy: task \"" + task.id + "\" cannot run " + strategy + ": " +
                             error.what());
  }
}

storage::Database& adminDatabase()
{
  PluginState& state = pluginState();
  if (!state.database)
  {
    throw HttpError(503, "The Iris database is not available: " + state.databaseError);
  }
  return *state.database;
}
} // namespace iris::plugin
