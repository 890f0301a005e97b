#include "OrthancPlugin/ReferenceRoutes.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/ConfiguredTasks.h"
#include "OrthancPlugin/ModelIdentity.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/ReferenceChecks.h"
#include "OrthancPlugin/ReferenceUploads.h"
#include "OrthancPlugin/TaskRequest.h"
#include "storage/ReferenceStore.h"
#include "storage/TaskStore.h"

#include <limits>
#include <map>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

// An uploaded image and label pair; a CT pair compressed is far below this. A JSON reference
// only names resources, so its body has the smaller cap.
constexpr size_t kMaxUploadBytes = size_t{512} << 20;
constexpr size_t kMaxReferenceJsonBytes = 64 * 1024;

storage::StoredTask findTask(storage::Database& database, const std::string& id)
{
  auto stored = storage::TaskStore(database).find(id);
  if (!stored)
  {
    throw HttpError(404, "No task \"" + id + "\"");
  }
  return *stored;
}

TaskReference referenceOf(const storage::StoredReference& row)
{
  return TaskReference::fromSources(row.source.imageSource, row.source.labelSource,
                                    row.source.classMapJson);
}

bool sameSources(const storage::StoredReference& row, const TaskReference& reference)
{
  return row.source.imageSource == reference.imageSource() &&
         row.source.labelSource == reference.labelSource() &&
         row.source.classMapJson == Json(reference.classes).dump();
}

// The reference's class map is checked by the task parser itself, as if the reference were
// the task's only one, so the rules (and messages) are those of a task document's references.
void checkClasses(const storage::StoredTask& stored, const TaskReference& reference)
{
  auto document = Json::parse(stored.definitionJson);
  document["references"] = Json::array({reference.toJson()});
  try
  {
    TaskDefinition::parse(document, stored.id);
  }
  catch (const InvalidTask& error)
  {
    std::string message = error.what();
    const std::string where = "task.references[0]";
    if (message.compare(0, where.size(), where) == 0)
    {
      message = "reference" + message.substr(where.size());
    }
    throw HttpError(400, message);
  }
}

TaskReference parseReference(const Json& document)
{
  try
  {
    return TaskReference::parse(document, "reference");
  }
  catch (const InvalidTask& error)
  {
    throw HttpError(400, error.what());
  }
}

// The task's references become `references`, in its stored document and its reference rows,
// in the caller's transaction; the PUT of a task stores through the same storeTaskReferences.
void writeReferences(storage::Database& database, const storage::StoredTask& stored,
                     std::vector<TaskReference> references)
{
  auto task = TaskDefinition::parse(Json::parse(stored.definitionJson), stored.id);
  task.references = std::move(references);
  const int64_t now = nowMs();
  storage::TaskStore(database).upsert(stored.id, task.toJson().dump(), stored.origin, now);
  storeTaskReferences(database, task, now);
}

int64_t addReference(storage::Database& database, const std::string& taskId,
                     const TaskReference& reference)
{
  int64_t id = 0;
  database.transaction(
      [&]
      {
        const auto stored = findTask(database, taskId);
        storage::ReferenceStore store(database);
        std::vector<TaskReference> references;
        for (const auto& row : store.listForTask(taskId))
        {
          if (sameSources(row, reference))
          {
            throw HttpError(409, "Task \"" + taskId + "\" has this reference already (id " +
                                     std::to_string(row.id) + ")");
          }
          references.push_back(referenceOf(row));
        }
        references.push_back(reference);
        writeReferences(database, stored, references);
        for (const auto& row : store.listForTask(taskId))
        {
          id = sameSources(row, reference) ? row.id : id;
        }
      });
  return id;
}

// The key its reference embeddings are cached under now: the model, and the task's voxel size.
std::string currentEmbeddingKey(storage::Database& database, const std::string& taskId)
{
  std::optional<double> spacingMm;
  if (const auto stored = storage::TaskStore(database).find(taskId))
  {
    spacingMm = TaskDefinition::parse(Json::parse(stored->definitionJson), stored->id).spacingMm;
  }
  return embeddingModelKey(pluginState().modelId, spacingMm);
}

Json describe(storage::ReferenceStore& store, const storage::StoredReference& row,
              const std::string& modelId)
{
  const auto reference = referenceOf(row);
  const bool nifti = reference.kind == TaskReference::Kind::Nifti;
  Json source = Json{{"series", reference.series}, {"seg", reference.seg}};
  if (nifti)
  {
    const auto uploads = uploadsFolder();
    source = {{"image", reference.image.string()},
              {"labels", reference.labels.string()},
              {"imageFingerprint", reference.imageFingerprint},
              {"labelFingerprint", reference.labelFingerprint},
              {"uploaded", reference.image.parent_path() == uploads &&
                               reference.labels.parent_path() == uploads}};
  }
  Json current = {{"model", modelId}, {"cached", false}, {"computedAt", nullptr}};
  Json cached = Json::array();
  for (const auto& embedding : store.listEmbeddings(row.id))
  {
    const bool isCurrent = embedding.modelId == modelId &&
                           embedding.preprocessingVersion == kReferencePreprocessingVersion;
    cached.push_back({{"model", embedding.modelId},
                      {"preprocessingVersion", embedding.preprocessingVersion},
                      {"bytes", embedding.bytes},
                      {"computedAt", embedding.createdAt},
                      {"current", isCurrent}});
    if (isCurrent)
    {
      current = {{"model", modelId},
                 {"cached", true},
                 {"computedAt", embedding.createdAt},
                 {"bytes", embedding.bytes}};
    }
  }
  return {{"id", row.id},
          {"task", row.taskId},
          {"kind", nifti ? "nifti" : "orthanc-seg"},
          {"source", source},
          {"classes", reference.classes},
          {"createdAt", row.createdAt},
          {"embedding", current},
          {"cachedEmbeddings", cached}};
}

RestAnswer answerCreated(storage::Database& database, int64_t id)
{
  storage::ReferenceStore store(database);
  const auto row = *store.find(id);
  return RestAnswer::json(describe(store, row, currentEmbeddingKey(database, row.taskId)), 201);
}

RestAnswer uploadReference(const RestRequest& request, storage::Database& database,
                           const storage::StoredTask& stored)
{
  const auto type = request.headers.find("content-type");
  const auto parts = uploadParts(type == request.headers.end() ? "" : type->second, request.body);
  const Json classes = Json::parse(parts.at("classes"), nullptr, false);
  if (classes.is_discarded())
  {
    throw HttpError(400, "The part \"classes\" is not valid JSON: expected {\"<class name>\": "
                         "<label value>, ...}");
  }
  auto reference =
      parseReference({{"image", "upload"}, {"labels", "upload"}, {"classes", classes}});
  checkClasses(stored, reference);
  const auto lock = lockUploads();
  try
  {
    reference.image = storeUpload(parts.at("image"));
    reference.labels = storeUpload(parts.at("labels"));
    prepareRestReference(reference, "reference");
    return answerCreated(database, addReference(database, stored.id, reference));
  }
  catch (...)
  {
    removeUnusedUploads(database);
    throw;
  }
}

RestAnswer listReferences(const RestRequest& request)
{
  const std::string& id = checkedTaskId(request.groups.at(0));
  auto& database = adminDatabase();
  findTask(database, id);
  storage::ReferenceStore store(database);
  const auto embeddingKey = currentEmbeddingKey(database, id);
  Json references = Json::array();
  for (const auto& row : store.listForTask(id))
  {
    references.push_back(describe(store, row, embeddingKey));
  }
  return RestAnswer::json({{"task", id}, {"references", references}});
}

RestAnswer createReference(const RestRequest& request)
{
  const std::string& id = checkedTaskId(request.groups.at(0));
  auto& database = adminDatabase();
  const auto stored = findTask(database, id);
  const auto type = request.headers.find("content-type");
  if (type != request.headers.end() && type->second.compare(0, 10, "multipart/") == 0)
  {
    return uploadReference(request, database, stored);
  }
  if (request.body.size() > kMaxReferenceJsonBytes)
  {
    throw HttpError(413, "Request body of " + std::to_string(request.body.size()) +
                             " bytes exceeds the limit of " +
                             std::to_string(kMaxReferenceJsonBytes) +
                             " bytes for a JSON reference (uploads: multipart, up to " +
                             std::to_string(kMaxUploadBytes) + " bytes)");
  }
  auto reference = parseReference(jsonBody(request));
  checkClasses(stored, reference);
  // A JSON reference may name an uploaded file: no clean-up may remove it before it is stored.
  const auto lock = lockUploads();
  prepareRestReference(reference, "reference");
  return answerCreated(database, addReference(database, id, reference));
}

RestAnswer deleteReference(const RestRequest& request)
{
  const std::string& taskId = checkedTaskId(request.groups.at(0));
  const int64_t id = integerParameter(request.groups.at(1), "reference id", 1,
                                      std::numeric_limits<int64_t>::max() / 2);
  auto& database = adminDatabase();
  database.transaction(
      [&]
      {
        const auto stored = findTask(database, taskId);
        storage::ReferenceStore store(database);
        const auto row = store.find(id);
        if (!row || row->taskId != taskId)
        {
          throw HttpError(404, "Task \"" + taskId + "\" has no reference " + std::to_string(id));
        }
        std::vector<TaskReference> references;
        for (const auto& other : store.listForTask(taskId))
        {
          if (other.id != id)
          {
            references.push_back(referenceOf(other));
          }
        }
        writeReferences(database, stored, references);
      });
  const auto lock = lockUploads();
  removeUnusedUploads(database);
  return RestAnswer::json({{"deleted", id}, {"task", taskId}});
}
} // namespace

void registerReferenceRoutes()
{
  // Route fields: regex, get, post, put, remove, body cap.
  registerRoute(
      {"/iris/tasks/([^/]+)/references", listReferences, createReference, {}, {}, kMaxUploadBytes});
  registerRoute({"/iris/tasks/([^/]+)/references/([^/]+)", {}, {}, {}, deleteReference, 0});
}
} // namespace iris::plugin
