#include "OrthancPlugin/TaskRequest.h"

#include "OrthancPlugin/Clock.h"
#include "OrthancPlugin/EmbeddingBlob.h"
#include "OrthancPlugin/ModelIdentity.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/OrthancSeriesLoader.h"
#include "dicom/Nifti.h"
#include "dicom/SegReader.h"
#include "dicom/SegTerminology.h"
#include "storage/MemoryBankStore.h"
#include "storage/ReferenceStore.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace iris::plugin
{
namespace
{
constexpr size_t kMaxAlgorithmVersion = 64; // DICOM LO

// A reference loaded into memory, labels on the image's grid.
struct LoadedReference
{
  std::unique_ptr<dicom::ImageVolume> image;
  std::unique_ptr<dicom::LabelVolume> labels;
  std::string modality = "auto";
};

LoadedReference loadReference(const TaskReference& reference)
{
  LoadedReference loaded;
  if (reference.kind == TaskReference::Kind::Nifti)
  {
    loaded.image = std::make_unique<dicom::ImageVolume>(dicom::readNiftiImage(reference.image));
    loaded.labels = std::make_unique<dicom::LabelVolume>(dicom::readNiftiLabels(reference.labels));
    return loaded;
  }
  auto source = loadSeriesFromOrthanc(reference.series);
  const std::string segBytes = restGet("/instances/" + reference.seg + "/file");
  auto content =
      dicom::readSegBuffer(std::vector<uint8_t>(segBytes.begin(), segBytes.end()), source.series);
  loaded.modality = source.series.modality.empty() ? "auto" : source.series.modality;
  loaded.image = std::make_unique<dicom::ImageVolume>(std::move(source.series.image));
  loaded.labels = std::make_unique<dicom::LabelVolume>(std::move(content.labels));
  return loaded;
}

std::string describe(const TaskReference& reference)
{
  return reference.kind == TaskReference::Kind::Nifti
             ? reference.image.string() + " + " + reference.labels.string()
             : "series " + reference.series + " + SEG " + reference.seg;
}

bool isRowNumber(const std::string& text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}
} // namespace

std::vector<dicom::SegmentDescription> segmentDescriptions(const TaskDefinition& task,
                                                           const std::string& modelId)
{
  std::vector<dicom::SegmentDescription> segments;
  const std::string version = modelId.substr(0, kMaxAlgorithmVersion);
  for (size_t k = 0; k < task.classes.size(); ++k)
  {
    const auto& taskClass = task.classes[k];
    auto segment =
        dicom::describeSegmentByName(static_cast<uint16_t>(k + 1), taskClass.name, "Iris", version);
    if (taskClass.category)
    {
      segment.category = *taskClass.category;
    }
    if (taskClass.type)
    {
      segment.type = *taskClass.type;
    }
    if (taskClass.colour)
    {
      const auto& rgb = *taskClass.colour;
      segment.colour = dicom::cieLabFromRgb(rgb[0], rgb[1], rgb[2]);
    }
    segments.push_back(segment);
  }
  return segments;
}

int64_t memoryBankRow(const inference::Segmenter& segmenter, const std::string& nameOrRow)
{
  const int64_t rows = segmenter.memoryBankSize();
  if (isRowNumber(nameOrRow))
  {
    const int64_t row = std::stoll(nameOrRow);
    if (row >= rows)
    {
      throw std::runtime_error("memory-bank row " + nameOrRow + " is out of range: the model has " +
                               std::to_string(rows) + " rows");
    }
    return row;
  }
  const auto names = segmenter.memoryBankClasses();
  const auto found = std::find(names.begin(), names.end(), nameOrRow);
  return found != names.end() ? found - names.begin() : -1;
}

namespace
{
std::string memoryBankKnownNames(const inference::Segmenter& segmenter,
                                 const std::vector<storage::ImportedClass>& imported)
{
  std::string known;
  for (const auto& name : segmenter.memoryBankClasses())
  {
    if (!name.empty())
    {
      known += (known.empty() ? "" : ", ") + name;
    }
  }
  for (const auto& importedClass : imported)
  {
    known += (known.empty() ? "" : ", ") + importedClass.name + " (imported)";
  }
  return known.empty() ? "its rows are unnamed; give a row number" : "known: " + known;
}

// The memory-bank rows of `task`'s classes; a class that names an imported class (MemoryBankStore)
// instead makes the request carry one embedding of all classes (checkpoint rows and imported
// ones, in class order), which the network decodes exactly like memory-bank rows.
void requestMemoryBank(const TaskDefinition& task, storage::Database& database,
                       const inference::Segmenter& segmenter, const std::string& modelId,
                       inference::SegmentRequest& request)
{
  storage::MemoryBankStore imported(database);
  std::vector<std::optional<std::string>> importedEmbeddings; // per class; empty: a row
  for (const auto& taskClass : task.classes)
  {
    if (!taskClass.memoryBankClass)
    {
      throw std::runtime_error("task \"" + task.id + "\": class \"" + taskClass.name +
                               "\" has no memoryBank entry");
    }
    const auto& name = *taskClass.memoryBankClass;
    const int64_t row = memoryBankRow(segmenter, name);
    importedEmbeddings.push_back(row >= 0 ? std::nullopt : imported.find(modelId, name));
    if (row < 0 && !importedEmbeddings.back())
    {
      throw std::runtime_error("memory-bank class \"" + name + "\" is not in the model (" +
                               memoryBankKnownNames(segmenter, imported.list(modelId)) + ")");
    }
    request.memoryBankRows.push_back(row);
  }
  if (std::none_of(importedEmbeddings.begin(), importedEmbeddings.end(),
                   [](const auto& embedding) { return embedding.has_value(); }))
  {
    return;
  }
  std::vector<EmbeddingBlob> parts;
  for (size_t k = 0; k < importedEmbeddings.size(); ++k)
  {
    parts.push_back(EmbeddingBlob::parse(
        importedEmbeddings[k] ? *importedEmbeddings[k]
                              : segmenter.memoryBankEmbeddings({request.memoryBankRows[k]})));
  }
  request.strategy = inference::Strategy::OneShot;
  request.memoryBankRows.clear();
  request.embeddings.push_back(EmbeddingBlob::concatenateClasses(parts).serialize());
}
} // namespace

TaskRequest buildTaskRequest(const TaskDefinition& task, storage::Database& database,
                             inference::Segmenter& segmenter, const std::string& modelId)
{
  TaskRequest built;
  auto& request = built.request;
  if (task.usesMemoryBank())
  {
    request.strategy = inference::Strategy::MemoryBank;
    request.spacingMm = task.spacingMm;
    requestMemoryBank(task, database, segmenter, modelId, request);
    return built;
  }
  request.strategy = inference::parseStrategy(task.strategy);
  request.spacingMm = task.spacingMm;
  const auto embeddingKey = embeddingModelKey(modelId, task.spacingMm);
  storage::ReferenceStore store(database);
  const auto stored = store.listForTask(task.id);
  if (stored.empty())
  {
    throw std::runtime_error("task \"" + task.id +
                             "\" has no reference, and not every class has a memoryBank entry");
  }
  const bool needsImages = request.strategy == inference::Strategy::Tuning;
  for (const auto& row : stored)
  {
    const auto reference = TaskReference::fromSources(
        row.source.imageSource, row.source.labelSource, row.source.classMapJson);
    if (!needsImages)
    {
      if (auto cached = store.findEmbedding(row.id, embeddingKey, kReferencePreprocessingVersion))
      {
        request.embeddings.push_back(std::move(*cached));
        ++built.cachedEmbeddings;
        continue;
      }
    }
    LoadedReference loaded;
    try
    {
      loaded = loadReference(reference);
    }
    catch (const std::exception& error)
    {
      throw std::runtime_error("task \"" + task.id + "\": reference " + describe(reference) + ": " +
                               error.what());
    }
    inference::ReferenceExample example{
        loaded.image.get(), loaded.labels.get(), {}, loaded.modality};
    for (const auto& taskClass : task.classes)
    {
      const auto value = reference.classes.find(taskClass.name);
      if (value == reference.classes.end())
      {
        throw std::runtime_error("task \"" + task.id + "\": reference " + describe(reference) +
                                 " does not map class \"" + taskClass.name + "\"");
      }
      example.classValues.push_back(value->second);
    }
    if (needsImages)
    {
      request.references.push_back(example);
    }
    else
    {
      std::string bytes = segmenter.encodeReference(example, nullptr, task.spacingMm);
      store.storeEmbedding(row.id, embeddingKey, kReferencePreprocessingVersion, bytes, nowMs());
      request.embeddings.push_back(std::move(bytes));
      ++built.encodedReferences;
    }
    built.images.push_back(std::move(loaded.image));
    built.labels.push_back(std::move(loaded.labels));
  }
  return built;
}
} // namespace iris::plugin
