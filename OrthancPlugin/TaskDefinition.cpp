#include "OrthancPlugin/TaskDefinition.h"

#include "dicom/JsonInteger.h"

#include <algorithm>
#include <regex>
#include <set>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

constexpr size_t kMaxClasses = 64;
const std::vector<std::string> kStrategies = {"one-shot", "ensemble", "retrieval", "tuning",
                                              "memory-bank"};
const std::vector<std::string> kTaskKeys = {"id",       "description", "enabled",
                                            "priority", "match",       "strategy",
                                            "classes",  "references",  "spacingMm"};
constexpr double kMinSpacingMm = 0.2;
constexpr double kMaxSpacingMm = 20.0;
const std::vector<std::string> kClassKeys = {"name", "memoryBank", "category", "type", "colour"};

void rejectUnknownKeys(const Json& object, const std::vector<std::string>& known,
                       const std::string& where)
{
  for (const auto& item : object.items())
  {
    if (std::find(known.begin(), known.end(), item.key()) == known.end())
    {
      throw InvalidTask(where + ": unknown key \"" + item.key() + "\"");
    }
  }
}

std::string requireString(const Json& object, const char* key, const std::string& where)
{
  if (!object.contains(key) || !object[key].is_string() || object[key].get<std::string>().empty())
  {
    throw InvalidTask(where + "." + key + ": expected a non-empty string");
  }
  return object[key].get<std::string>();
}

dicom::CodedConcept parseConcept(const Json& value, const std::string& where)
{
  if (!value.is_object())
  {
    throw InvalidTask(where + ": expected {\"value\", \"scheme\", \"meaning\"}");
  }
  rejectUnknownKeys(value, {"value", "scheme", "meaning"}, where);
  dicom::CodedConcept concept;
  concept.value = requireString(value, "value", where);
  concept.meaning = requireString(value, "meaning", where);
  if (value.contains("scheme"))
  {
    concept.scheme = requireString(value, "scheme", where);
  }
  return concept;
}

Json conceptJson(const dicom::CodedConcept& concept)
{
  return {{"value", concept.value}, {"scheme", concept.scheme}, {"meaning", concept.meaning}};
}

std::array<uint8_t, 3> parseColour(const Json& value, const std::string& where)
{
  if (!value.is_array() || value.size() != 3 ||
      !std::all_of(value.begin(), value.end(),
                   [](const Json& c)
                   { return dicom::isIntegerBetween(c, 0, 255); }))
  {
    throw InvalidTask(where + ": expected [red, green, blue] with each value from 0 to 255");
  }
  return {value[0].get<uint8_t>(), value[1].get<uint8_t>(), value[2].get<uint8_t>()};
}

TaskClass parseClass(const Json& value, const std::string& where)
{
  if (!value.is_object())
  {
    throw InvalidTask(where + ": expected an object with at least \"name\"");
  }
  rejectUnknownKeys(value, kClassKeys, where);
  TaskClass taskClass;
  taskClass.name = requireString(value, "name", where);
  if (taskClass.name.size() > 64)
  {
    throw InvalidTask(where + ".name: at most 64 characters (DICOM SegmentLabel)");
  }
  if (value.contains("memoryBank"))
  {
    // A row number is kept as text: Segmenter::memoryBankRow takes either form.
    taskClass.memoryBankClass = value["memoryBank"].is_number_unsigned()
                                    ? std::to_string(value["memoryBank"].get<uint64_t>())
                                    : requireString(value, "memoryBank", where);
  }
  if (value.contains("category"))
  {
    taskClass.category = parseConcept(value["category"], where + ".category");
  }
  if (value.contains("type"))
  {
    taskClass.type = parseConcept(value["type"], where + ".type");
  }
  if (value.contains("colour"))
  {
    taskClass.colour = parseColour(value["colour"], where + ".colour");
  }
  return taskClass;
}
// A reference must name exactly the task's classes: an unknown name is a typo, and a missing one
// cannot be encoded (every reference gives all K classes to the network).
void parseReferences(const Json& document, TaskDefinition& task)
{
  if (!document.contains("references"))
  {
    return;
  }
  if (!document["references"].is_array())
  {
    throw InvalidTask("task.references: expected a list of references");
  }
  for (size_t i = 0; i < document["references"].size(); ++i)
  {
    const std::string where = "task.references[" + std::to_string(i) + "]";
    auto reference = TaskReference::parse(document["references"][i], where);
    for (const auto& named : reference.classes)
    {
      if (std::none_of(task.classes.begin(), task.classes.end(),
                       [&](const TaskClass& taskClass) { return taskClass.name == named.first; }))
      {
        throw InvalidTask(where + ".classes: \"" + named.first + "\" is not a class of task \"" +
                          task.id + "\"");
      }
    }
    for (const auto& taskClass : task.classes)
    {
      if (!reference.classes.count(taskClass.name))
      {
        throw InvalidTask(where + ".classes: class \"" + taskClass.name + "\" of task \"" +
                          task.id + "\" is missing (each reference must map every class)");
      }
    }
    task.references.push_back(std::move(reference));
  }
}
} // namespace

bool isValidTaskId(const std::string& id)
{
  static const std::regex pattern("[a-z0-9][a-z0-9._-]{0,63}");
  return std::regex_match(id, pattern);
}

TaskDefinition TaskDefinition::parse(const Json& document, const std::string& id)
{
  if (!document.is_object())
  {
    throw InvalidTask("task: expected a JSON object");
  }
  rejectUnknownKeys(document, kTaskKeys, "task");
  TaskDefinition task;
  task.id = id.empty() ? requireString(document, "id", "task") : id;
  if (document.contains("id") && document["id"] != task.id)
  {
    throw InvalidTask("task.id: \"" + document["id"].dump() + "\" differs from \"" + task.id +
                      "\" in the URL");
  }
  if (!isValidTaskId(task.id))
  {
    throw InvalidTask("task.id: \"" + task.id +
                      "\" must be 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter "
                      "or digit");
  }
  if (document.contains("description"))
  {
    if (!document["description"].is_string())
    {
      throw InvalidTask("task.description: expected a string");
    }
    task.description = document["description"].get<std::string>();
  }
  if (document.contains("enabled"))
  {
    if (!document["enabled"].is_boolean())
    {
      throw InvalidTask("task.enabled: expected true or false");
    }
    task.enabled = document["enabled"].get<bool>();
  }
  if (document.contains("priority"))
  {
    const Json& priority = document["priority"];
    if (!dicom::isIntegerBetween(priority, -100, 100))
    {
      throw InvalidTask("task.priority: expected an integer from -100 to 100");
    }
    task.priority = priority.get<int>();
  }
  if (document.contains("spacingMm"))
  {
    const Json& spacing = document["spacingMm"];
    if (!spacing.is_number() || spacing.get<double>() < kMinSpacingMm ||
        spacing.get<double>() > kMaxSpacingMm)
    {
      throw InvalidTask("task.spacingMm: expected a voxel size from 0.2 to 20 mm, got " +
                        spacing.dump());
    }
    task.spacingMm = spacing.get<double>();
  }
  if (document.contains("match"))
  {
    task.match = document["match"];
  }
  try
  {
    task.rules = dicom::MatchRules::parse(task.match);
  }
  catch (const dicom::InvalidRules& error)
  {
    throw InvalidTask(std::string("task.match.") + error.what());
  }
  if (document.contains("strategy"))
  {
    task.strategy = document["strategy"].is_string() ? document["strategy"].get<std::string>() : "";
    if (!isKnownStrategy(task.strategy))
    {
      throw InvalidTask("task.strategy: expected one of one-shot, ensemble, retrieval, tuning, "
                        "memory-bank; got " +
                        document["strategy"].dump());
    }
  }
  if (!document.contains("classes") || !document["classes"].is_array() ||
      document["classes"].empty() || document["classes"].size() > kMaxClasses)
  {
    throw InvalidTask("task.classes: expected a list of 1 to " + std::to_string(kMaxClasses) +
                      " classes");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < document["classes"].size(); ++i)
  {
    const std::string where = "task.classes[" + std::to_string(i) + "]";
    task.classes.push_back(parseClass(document["classes"][i], where));
    if (!names.insert(task.classes.back().name).second)
    {
      throw InvalidTask(where + ".name: \"" + task.classes.back().name + "\" appears twice");
    }
    if (task.strategy == "memory-bank" && !task.classes.back().memoryBankClass)
    {
      throw InvalidTask(where + ".memoryBank: required by the memory-bank strategy");
    }
  }
  parseReferences(document, task);
  return task;
}

TaskDefinition TaskDefinition::withStrategy(const std::string& runStrategy) const
{
  auto document = toJson();
  document["strategy"] = runStrategy;
  return parse(document, id);
}

bool isKnownStrategy(const std::string& strategy)
{
  return std::find(kStrategies.begin(), kStrategies.end(), strategy) != kStrategies.end();
}

void applyDefaultStrategy(Json& taskDocument, const std::string& defaultStrategy)
{
  if (taskDocument.is_object() && !taskDocument.contains("strategy"))
  {
    taskDocument["strategy"] = defaultStrategy;
  }
}

bool TaskDefinition::usesMemoryBank() const
{
  return strategy == "memory-bank" ||
         (references.empty() &&
          std::all_of(classes.begin(), classes.end(),
                      [](const TaskClass& taskClass) { return taskClass.memoryBankClass; }));
}

Json TaskDefinition::toJson() const
{
  Json classList = Json::array();
  for (const auto& taskClass : classes)
  {
    Json item = {{"name", taskClass.name}};
    if (taskClass.memoryBankClass)
    {
      item["memoryBank"] = *taskClass.memoryBankClass;
    }
    if (taskClass.category)
    {
      item["category"] = conceptJson(*taskClass.category);
    }
    if (taskClass.type)
    {
      item["type"] = conceptJson(*taskClass.type);
    }
    if (taskClass.colour)
    {
      item["colour"] = *taskClass.colour;
    }
    classList.push_back(item);
  }
  Json document = {
      {"id", id},       {"description", description}, {"enabled", enabled},  {"priority", priority},
      {"match", match}, {"strategy", strategy},       {"classes", classList}};
  if (spacingMm)
  {
    document["spacingMm"] = *spacingMm;
  }
  if (!references.empty())
  {
    document["references"] = Json::array();
    for (const auto& reference : references)
    {
      document["references"].push_back(reference.toJson());
    }
  }
  return document;
}
} // namespace iris::plugin
