#include "OrthancPlugin/EmbeddingRoutes.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/AnatomyMap.h"
#include "OrthancPlugin/CheckpointSummaryCache.h"
#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/MemoryBankDocument.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/TaskRequest.h"
#include "dicom/Png.h"
#include "storage/MemoryBankStore.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

// A full export of the default model (256 rows of 5 x 448 floats) is about 6 MB of JSON.
constexpr size_t kMaxImportBytes = size_t{16} << 20;

// The configured checkpoint's summary; 503 when it cannot be read or has no memory bank.
std::shared_ptr<const inference::CheckpointSummary> modelSummary()
{
  std::string error;
  auto summary = cachedCheckpointSummary(pluginState().settings.modelPath, error);
  if (!summary)
  {
    throw HttpError(503, "The model is unavailable: " + error);
  }
  if (summary->memoryBank.empty())
  {
    throw HttpError(503, "The checkpoint " + pluginState().settings.modelPath.string() +
                             " holds no memory bank (task_prior buffers)");
  }
  return summary;
}

bool wantsPng(const RestRequest& request)
{
  if (const auto format = queryParameter(request, "format"))
  {
    if (*format != "png" && *format != "json")
    {
      throw HttpError(400, "format: expected \"json\" or \"png\", got \"" + *format + "\"");
    }
    return *format == "png";
  }
  const auto accept = request.headers.find("accept");
  return accept != request.headers.end() && accept->second.find("image/png") != std::string::npos &&
         accept->second.find("application/json") == std::string::npos;
}

bool booleanParameter(const RestRequest& request, const std::string& name, bool fallback)
{
  const auto value = queryParameter(request, name);
  if (!value)
  {
    return fallback;
  }
  if (*value != "true" && *value != "false" && *value != "1" && *value != "0")
  {
    throw HttpError(400, name + ": expected true or false, got \"" + *value + "\"");
  }
  return *value == "true" || *value == "1";
}

RestAnswer similarity(const RestRequest& request)
{
  const bool png = wantsPng(request);
  AnatomyMapInput input;
  input.unnamedRows = booleanParameter(request, "unnamed", true);
  auto& database = adminDatabase();
  const auto summary = modelSummary();
  input.modelId = pluginState().modelId;
  input.memoryBank = summary->memoryBank;
  input.memoryBankNames = summary->memoryBankClasses;
  input.preprocessingVersion = kReferencePreprocessingVersion;
  const auto map = buildAnatomyMap(database, input);
  if (!png)
  {
    return RestAnswer::json(anatomyMapToJson(map, input.modelId), 200, -1);
  }
  RestAnswer answer;
  answer.contentType = "image/png";
  answer.body = dicom::encodePng(renderHeatMap(map.matrix));
  return answer;
}

// The checkpoint rows (all, or none with ?source=imported) and the imported classes.
RestAnswer exportBank(const RestRequest& request)
{
  const std::string source = queryParameter(request, "source").value_or("all");
  if (source != "all" && source != "checkpoint" && source != "imported")
  {
    throw HttpError(400, "source: expected all, checkpoint or imported, got \"" + source + "\"");
  }
  auto& database = adminDatabase();
  const auto summary = modelSummary();
  MemoryBankDocument document;
  document.modelId = pluginState().modelId;
  if (source != "imported")
  {
    const auto bank = EmbeddingBlob::parse(summary->memoryBank);
    const auto& names = summary->memoryBankClasses;
    for (int64_t row = 0; row < bank.classCount(); ++row)
    {
      const bool named = row < static_cast<int64_t>(names.size()) && !names[row].empty();
      document.classes.push_back({named ? std::optional<std::string>(names[row]) : std::nullopt,
                                  "checkpoint", row, bank.selectClass(row)});
    }
  }
  if (source != "checkpoint")
  {
    for (const auto& imported : storage::MemoryBankStore(database).list(document.modelId))
    {
      document.classes.push_back(
          {imported.name, "imported", std::nullopt, EmbeddingBlob::parse(imported.data)});
    }
  }
  return RestAnswer::json(memoryBankDocumentToJson(document), 200, -1);
}

RestAnswer importBank(const RestRequest& request)
{
  const auto body = jsonBody(request);
  auto& database = adminDatabase();
  const auto summary = modelSummary();
  const std::string& modelId = pluginState().modelId;
  MemoryBankDocument document;
  try
  {
    document = parseMemoryBankDocument(body, modelId,
                                       EmbeddingBlob::parse(summary->memoryBank).classShape());
  }
  catch (const MemoryBankDocumentError& error)
  {
    throw HttpError(static_cast<uint16_t>(error.status()), error.what());
  }
  const auto& checkpointNames = summary->memoryBankClasses;
  storage::MemoryBankStore store(database);
  std::vector<storage::ImportedClass> toStore;
  std::set<std::string> seen;
  Json answer = {{"model", modelId},
                 {"imported", Json::array()},
                 {"unchanged", Json::array()},
                 {"skippedCheckpointRows", 0}};
  for (size_t i = 0; i < document.classes.size(); ++i)
  {
    const auto& entry = document.classes[i];
    const std::string where = "classes[" + std::to_string(i) + "]";
    if (entry.source == "checkpoint")
    {
      // Same model id, same weights: these rows are in the checkpoint already.
      answer["skippedCheckpointRows"] = answer["skippedCheckpointRows"].get<int>() + 1;
      continue;
    }
    const std::string& name = *entry.name;
    if (!seen.insert(name).second)
    {
      throw HttpError(400, where + ".name: \"" + name + "\" appears twice in the document");
    }
    if (std::find(checkpointNames.begin(), checkpointNames.end(), name) != checkpointNames.end())
    {
      throw HttpError(409, where + ".name: \"" + name +
                               "\" is a class of the checkpoint's memory bank; an imported class "
                               "may not shadow it (rename it)");
    }
    const std::string bytes = entry.embedding.serialize();
    const auto existing = store.find(modelId, name);
    if (existing && *existing == bytes)
    {
      answer["unchanged"].push_back(name);
      continue;
    }
    if (existing)
    {
      // Orthanc passes no query arguments with a POST, so replacing is an explicit delete.
      throw HttpError(409, where + ".name: an imported class \"" + name +
                               "\" exists with other values; delete it first (DELETE "
                               "/iris/memory-bank/imported/<name>) to replace it");
    }
    answer["imported"].push_back(name);
    toStore.push_back({name, bytes, 0});
  }
  store.store(modelId, toStore, nowMs());
  return RestAnswer::json(answer);
}

// Orthanc hands over the URI as sent; names never hold '%' (isValidImportedClassName), so
// decoding once is safe either way.
std::string percentDecoded(const std::string& text)
{
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i)
  {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])))
    {
      decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
    else
    {
      decoded += text[i];
    }
  }
  return decoded;
}

RestAnswer deleteImported(const RestRequest& request)
{
  const std::string name = percentDecoded(request.groups.at(0));
  if (!isValidImportedClassName(name))
  {
    throw HttpError(400, "\"" + name + "\" is not an imported memory-bank class name");
  }
  const std::string& modelId = pluginState().modelId;
  if (!storage::MemoryBankStore(adminDatabase()).remove(modelId, name))
  {
    throw HttpError(404, "No imported memory-bank class \"" + name + "\" for model " + modelId);
  }
  return RestAnswer::json({{"deleted", name}, {"model", modelId}});
}
} // namespace

void registerEmbeddingRoutes()
{
  registerRoute({"/iris/embeddings/similarity", similarity, {}, {}, {}});
  registerRoute({"/iris/memory-bank/export", exportBank, {}, {}, {}});
  registerRoute({"/iris/memory-bank/import", {}, importBank, {}, {}, kMaxImportBytes});
  registerRoute({"/iris/memory-bank/imported/([^/]+)", {}, {}, {}, deleteImported});
}
} // namespace iris::plugin
