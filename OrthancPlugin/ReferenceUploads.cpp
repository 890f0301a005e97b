#include "OrthancPlugin/ReferenceUploads.h"

#include "OrthancPlugin/ModelIdentity.h"
#include "OrthancPlugin/MultipartBody.h"
#include "OrthancPlugin/OrthancContext.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/RestRouting.h"
#include "OrthancPlugin/TaskReference.h"
#include "storage/ReferenceStore.h"
#include "storage/TaskStore.h"

#include <atomic>
#include <fstream>
#include <set>
#include <stdexcept>

namespace iris::plugin
{
namespace
{
namespace fs = std::filesystem;

// The canonical paths of every NIfTI file a stored reference reads.
std::set<fs::path> filesInUse(storage::Database& database)
{
  std::set<fs::path> used;
  storage::ReferenceStore references(database);
  for (const auto& task : storage::TaskStore(database).list())
  {
    for (const auto& row : references.listForTask(task.id))
    {
      const auto reference = TaskReference::fromSources(
          row.source.imageSource, row.source.labelSource, row.source.classMapJson);
      if (reference.kind == TaskReference::Kind::Nifti)
      {
        std::error_code ec;
        used.insert(fs::weakly_canonical(reference.image, ec));
        used.insert(fs::weakly_canonical(reference.labels, ec));
      }
    }
  }
  return used;
}
} // namespace

std::map<std::string, std::string_view> uploadParts(const std::string& contentType,
                                                    std::string_view body)
{
  std::map<std::string, std::string_view> parts;
  try
  {
    for (const auto& part : splitMultipart(body, multipartBoundary(contentType)))
    {
      if (part.name != "image" && part.name != "labels" && part.name != "classes")
      {
        throw HttpError(400, "Unknown part \"" + part.name +
                                 "\"; expected the parts image, labels and classes");
      }
      if (!parts.emplace(part.name, part.content).second)
      {
        throw HttpError(400, "The part \"" + part.name + "\" appears twice");
      }
    }
  }
  catch (const InvalidMultipart& error)
  {
    throw HttpError(400, error.what());
  }
  for (const char* name : {"image", "labels", "classes"})
  {
    if (!parts.count(name))
    {
      throw HttpError(400, std::string("Missing the part \"") + name +
                               "\" (expected image, labels and classes)");
    }
  }
  return parts;
}

fs::path uploadsFolder()
{
  std::error_code ec;
  return fs::weakly_canonical(
      fs::absolute(pluginState().settings.databasePath).parent_path() / "references", ec);
}

std::unique_lock<std::mutex> lockUploads()
{
  static std::mutex mutex;
  return std::unique_lock<std::mutex>(mutex);
}

fs::path storeUpload(std::string_view bytes)
{
  static std::atomic<unsigned> counter{0};
  const fs::path folder = uploadsFolder();
  fs::create_directories(folder);
  const fs::path partial = folder / (".upload-" + std::to_string(++counter) + ".partial");
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush())
    {
      std::error_code ec;
      fs::remove(partial, ec);
      throw std::runtime_error("cannot write " + partial.string() + " (disk full?)");
    }
  }
  // The NIfTI reader picks decompression by the file name.
  const bool gzip = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
                    static_cast<unsigned char>(bytes[1]) == 0x8b;
  const fs::path stored = folder / (fileFingerprint(partial) + (gzip ? ".nii.gz" : ".nii"));
  fs::rename(partial, stored);
  return stored;
}

void removeUnusedUploads(storage::Database& database)
{
  const fs::path folder = uploadsFolder();
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
  {
    return;
  }
  const auto used = filesInUse(database);
  for (const auto& entry : fs::directory_iterator(folder, ec))
  {
    const fs::path path = fs::weakly_canonical(entry.path(), ec);
    if (entry.is_regular_file(ec) && !used.count(path))
    {
      fs::remove(path, ec);
      logInfo("Removed the uploaded reference file " + path.string() + ", which no task uses");
    }
  }
}
} // namespace iris::plugin
