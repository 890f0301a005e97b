#include "OrthancPlugin/ReferenceChecks.h"

#include "OrthancPlugin/AdminRequest.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/PluginState.h"
#include "OrthancPlugin/ReferenceUploads.h"
#include "dicom/Nifti.h"

#include <filesystem>
#include <set>

namespace iris::plugin
{
namespace
{
namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kSegSopClass = "1.2.840.10008.5.1.4.1.1.66.4";

Json orthancResource(const std::string& uri, const std::string& where)
{
  try
  {
    return restGetJson(uri);
  }
  catch (const OrthancRestError& error)
  {
    throw HttpError(400,
                    where + ": " +
                        (error.notFound() ? "no such resource in Orthanc: " : "Orthanc refused: ") +
                        error.what());
  }
}

std::string tagText(const Json& tags, const char* name)
{
  return tags.contains(name) && tags[name].is_string() ? tags[name].get<std::string>() : "";
}

void checkOrthancSeg(const TaskReference& reference, const std::string& where)
{
  checkedOrthancId(reference.series, "series");
  checkedOrthancId(reference.seg, "instance");
  const Json series = orthancResource("/series/" + reference.series, where + ".series");
  const Json tags =
      orthancResource("/instances/" + reference.seg + "/simplified-tags", where + ".seg");
  if (tagText(tags, "SOPClassUID") != kSegSopClass)
  {
    throw HttpError(400, where + ".seg: instance " + reference.seg + " is not a DICOM-SEG (" +
                             "SOPClassUID " + tagText(tags, "SOPClassUID") + ", Modality " +
                             tagText(tags, "Modality") + ")");
  }
  const std::string seriesUid = series["MainDicomTags"].value("SeriesInstanceUID", "");
  bool segmentsSeries = false;
  if (tags.contains("ReferencedSeriesSequence") && tags["ReferencedSeriesSequence"].is_array())
  {
    for (const auto& item : tags["ReferencedSeriesSequence"])
    {
      segmentsSeries = segmentsSeries || tagText(item, "SeriesInstanceUID") == seriesUid;
    }
  }
  if (!segmentsSeries)
  {
    throw HttpError(400, where + ".seg: SEG " + reference.seg + " does not segment series " +
                             reference.series + " (its ReferencedSeriesSequence does not name " +
                             "SeriesInstanceUID " + seriesUid + ")");
  }
  std::set<long> numbers;
  if (tags.contains("SegmentSequence") && tags["SegmentSequence"].is_array())
  {
    for (const auto& segment : tags["SegmentSequence"])
    {
      const std::string number = tagText(segment, "SegmentNumber");
      numbers.insert(number.empty() ? -1 : std::strtol(number.c_str(), nullptr, 10));
    }
  }
  for (const auto& [name, number] : reference.classes)
  {
    if (!numbers.count(number))
    {
      std::string known;
      for (long n : numbers)
      {
        known += (known.empty() ? "" : ", ") + std::to_string(n);
      }
      throw HttpError(400, where + ".classes." + name + ": SEG " + reference.seg +
                               " has no segment " + std::to_string(number) + " (it has " +
                               (known.empty() ? "none" : known) + ")");
    }
  }
}

// The file, resolved; 400 unless it lies inside one of `roots`.
fs::path allowedFile(const fs::path& path, const std::string& where,
                     const std::vector<fs::path>& roots)
{
  std::error_code ec;
  const fs::path resolved =
      fs::weakly_canonical(path.is_relative() ? roots.front() / path : path, ec);
  for (const auto& root : roots)
  {
    const auto relative = resolved.lexically_relative(fs::weakly_canonical(root, ec));
    if (!ec && !relative.empty() && *relative.begin() != "..")
    {
      if (!fs::is_regular_file(resolved, ec))
      {
        throw HttpError(400, where + ": cannot read " + resolved.string());
      }
      return resolved;
    }
  }
  throw HttpError(400, where + ": " + path.string() + " is outside the configuration folder " +
                           roots.front().string() + " and the uploads folder " +
                           roots.back().string());
}

void checkNifti(const TaskReference& reference, const std::string& where)
{
  const std::vector<fs::path> roots = {pluginState().settings.configurationFolder, uploadsFolder()};
  const fs::path image = allowedFile(reference.image, where + ".image", roots);
  const fs::path labelFile = allowedFile(reference.labels, where + ".labels", roots);
  dicom::VolumeGeometry grid;
  dicom::LabelVolume labels;
  try
  {
    grid = dicom::readNiftiGeometry(image);
  }
  catch (const std::exception& error)
  {
    throw HttpError(400, where + ".image: " + error.what());
  }
  try
  {
    labels = dicom::readNiftiLabels(labelFile);
  }
  catch (const std::exception& error)
  {
    throw HttpError(400, where + ".labels: " + error.what());
  }
  if (!labels.geometry.sameGrid(grid))
  {
    const auto& a = grid.size;
    const auto& b = labels.geometry.size;
    throw HttpError(400, where + ".labels: not on the image's grid (image " + std::to_string(a[0]) +
                             "x" + std::to_string(a[1]) + "x" + std::to_string(a[2]) + ", labels " +
                             std::to_string(b[0]) + "x" + std::to_string(b[1]) + "x" +
                             std::to_string(b[2]) + ", or other spacing, origin or orientation)");
  }
  std::vector<bool> present(65536, false);
  for (uint16_t value : labels.voxels)
  {
    present[value] = true;
  }
  for (const auto& [name, value] : reference.classes)
  {
    if (!present[value])
    {
      throw HttpError(400, where + ".classes." + name + ": label value " + std::to_string(value) +
                               " does not occur in " + labelFile.string());
    }
  }
}
} // namespace

void prepareRestReference(TaskReference& reference, const std::string& where)
{
  if (reference.kind == TaskReference::Kind::OrthancSeg)
  {
    checkOrthancSeg(reference, where);
    return;
  }
  checkNifti(reference, where);
  reference.resolveAgainst(pluginState().settings.configurationFolder);
  reference.fingerprint();
}

void prepareRestReferences(TaskDefinition& task)
{
  for (size_t r = 0; r < task.references.size(); ++r)
  {
    prepareRestReference(task.references[r], "task.references[" + std::to_string(r) + "]");
  }
}
} // namespace iris::plugin
