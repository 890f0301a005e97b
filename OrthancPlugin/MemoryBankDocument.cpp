#include "OrthancPlugin/MemoryBankDocument.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

constexpr const char* kFormat = "iris-memory-bank";
constexpr int kVersion = 1;
constexpr size_t kMaxNameLength = 128;
const std::set<std::string> kDocumentKeys = {"format", "version", "model", "shape", "classes"};
const std::set<std::string> kClassKeys = {"name", "source", "row", "embedding"};

// A float as the double of its shortest exact decimal form, so the JSON stays short ("0.1", not
// "0.10000000149011612") and reads back to the same float.
double compact(float value)
{
  char text[32];
  const auto written = std::to_chars(text, text + sizeof(text) - 1, value);
  *written.ptr = '\0';
  return std::strtod(text, nullptr);
}

[[noreturn]] void reject(const std::string& message, int status = 400)
{
  throw MemoryBankDocumentError(status, message);
}

void rejectUnknownKeys(const Json& object, const std::set<std::string>& known,
                       const std::string& where)
{
  for (const auto& item : object.items())
  {
    if (known.count(item.key()) == 0)
    {
      reject(where + ": unknown key \"" + item.key() + "\"");
    }
  }
}

std::string shapeText(const std::vector<std::vector<int64_t>>& shape)
{
  return Json(shape).dump();
}

EmbeddingBlob parseEmbedding(const Json& value, const std::vector<std::vector<int64_t>>& shape,
                             const std::string& where)
{
  if (!value.is_array() || value.size() != shape.size())
  {
    reject(where + ": expected " + std::to_string(shape.size()) +
           " arrays (one per stage, class shape " + shapeText(shape) + ")");
  }
  EmbeddingBlob blob;
  for (size_t s = 0; s < shape.size(); ++s)
  {
    const auto& numbers = value[s];
    const auto expected = static_cast<size_t>(shape[s][0] * shape[s][1]);
    const std::string at = where + "[" + std::to_string(s) + "]";
    if (!numbers.is_array() || numbers.size() != expected)
    {
      reject(at + ": expected " + std::to_string(expected) + " numbers (" +
             std::to_string(shape[s][0]) + " tokens x " + std::to_string(shape[s][1]) +
             " channels), got " + (numbers.is_array() ? std::to_string(numbers.size()) : "none"));
    }
    EmbeddingStage stage{1, 1, shape[s][0], shape[s][1], {}};
    stage.values.reserve(expected);
    for (const auto& number : numbers)
    {
      const double real = number.is_number() ? number.get<double>() : NAN;
      if (!std::isfinite(real) || std::abs(real) > std::numeric_limits<float>::max())
      {
        reject(at + ": expected finite float32 numbers, found " + number.dump());
      }
      stage.values.push_back(static_cast<float>(real));
    }
    blob.stages.push_back(std::move(stage));
  }
  return blob;
}

MemoryBankEntry parseEntry(const Json& value, const std::vector<std::vector<int64_t>>& shape,
                           const std::string& where)
{
  if (!value.is_object())
  {
    reject(where + ": expected an object with \"name\" and \"embedding\"");
  }
  rejectUnknownKeys(value, kClassKeys, where);
  MemoryBankEntry entry;
  entry.source = value.value("source", Json("imported")).is_string()
                     ? value.value("source", std::string("imported"))
                     : std::string();
  if (entry.source != "imported" && entry.source != "checkpoint")
  {
    reject(where + ".source: expected \"checkpoint\" or \"imported\"");
  }
  if (value.contains("name") && !value["name"].is_null())
  {
    if (!value["name"].is_string())
    {
      reject(where + ".name: expected a string");
    }
    entry.name = value["name"].get<std::string>();
  }
  if (entry.source == "imported" && (!entry.name || !isValidImportedClassName(*entry.name)))
  {
    reject(where +
           ".name: expected 1 to 128 printable characters without '/' or '%', not only "
           "digits (found " +
           (value.contains("name") ? value["name"].dump() : std::string("none")) + ")");
  }
  if (value.contains("row"))
  {
    if (!value["row"].is_number_unsigned())
    {
      reject(where + ".row: expected a row number");
    }
    entry.row = value["row"].get<int64_t>();
  }
  if (!value.contains("embedding"))
  {
    reject(where + ".embedding: required");
  }
  entry.embedding = parseEmbedding(value["embedding"], shape, where + ".embedding");
  return entry;
}
} // namespace

bool isValidImportedClassName(const std::string& name)
{
  const bool printable =
      std::all_of(name.begin(), name.end(),
                  [](char c) { return c >= 0x20 && c <= 0x7e && c != '/' && c != '%'; });
  const bool digitsOnly = name.find_first_not_of("0123456789") == std::string::npos;
  return !name.empty() && name.size() <= kMaxNameLength && printable && !digitsOnly &&
         name.front() != ' ' && name.back() != ' ';
}

Json memoryBankDocumentToJson(const MemoryBankDocument& document)
{
  Json classes = Json::array();
  for (const auto& entry : document.classes)
  {
    Json stages = Json::array();
    for (const auto& stage : entry.embedding.stages)
    {
      Json values = Json::array();
      for (const float value : stage.values)
      {
        values.push_back(compact(value));
      }
      stages.push_back(std::move(values));
    }
    Json item = {{"name", entry.name ? Json(*entry.name) : Json(nullptr)},
                 {"source", entry.source}};
    if (entry.row)
    {
      item["row"] = *entry.row;
    }
    item["embedding"] = std::move(stages);
    classes.push_back(std::move(item));
  }
  const auto shape = document.classes.empty() ? std::vector<std::vector<int64_t>>{}
                                              : document.classes.front().embedding.classShape();
  return {{"format", kFormat},
          {"version", kVersion},
          {"model", document.modelId},
          {"shape", shape},
          {"classes", std::move(classes)}};
}

MemoryBankDocument parseMemoryBankDocument(const Json& json, const std::string& modelId,
                                           const std::vector<std::vector<int64_t>>& classShape)
{
  if (!json.is_object())
  {
    reject("expected a JSON object (an export of GET /iris/memory-bank/export)");
  }
  rejectUnknownKeys(json, kDocumentKeys, "document");
  if (json.value("format", Json()) != kFormat)
  {
    reject(std::string("format: expected \"") + kFormat + "\"");
  }
  if (json.value("version", Json()) != kVersion)
  {
    reject("version: expected " + std::to_string(kVersion));
  }
  if (!json.contains("model") || !json["model"].is_string())
  {
    reject("model: expected the model id string");
  }
  MemoryBankDocument document;
  document.modelId = json["model"].get<std::string>();
  if (document.modelId != modelId)
  {
    reject("model: the document was exported from model \"" + document.modelId +
               "\", this Orthanc runs \"" + modelId +
               "\"; embeddings only fit the weights that made them",
           409);
  }
  if (json.contains("shape") && json["shape"] != Json(classShape))
  {
    reject("shape: expected " + shapeText(classShape) + " for this model, found " +
           json["shape"].dump());
  }
  if (!json.contains("classes") || !json["classes"].is_array() || json["classes"].empty())
  {
    reject("classes: expected a non-empty list");
  }
  for (size_t i = 0; i < json["classes"].size(); ++i)
  {
    document.classes.push_back(
        parseEntry(json["classes"][i], classShape, "classes[" + std::to_string(i) + "]"));
  }
  return document;
}
} // namespace iris::plugin
