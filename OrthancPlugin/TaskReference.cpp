#include "OrthancPlugin/TaskReference.h"

#include "OrthancPlugin/ModelIdentity.h"
#include "OrthancPlugin/OrthancId.h"
#include "OrthancPlugin/TaskDefinition.h"
#include "dicom/JsonInteger.h"

#include <algorithm>

namespace iris::plugin
{
namespace
{
using Json = nlohmann::json;

constexpr const char* kNifti = "nifti:";
constexpr const char* kOrthancSeries = "orthanc-series:";
constexpr const char* kOrthancSeg = "orthanc-seg:";

std::string requireText(const Json& document, const char* key, const std::string& where)
{
  if (!document[key].is_string() || document[key].get<std::string>().empty())
  {
    throw InvalidTask(where + "." + key + ": expected a non-empty string");
  }
  return document[key].get<std::string>();
}

// `what` names the resource in the message, as the REST routes do: "series", "instance".
std::string requireOrthancId(const Json& document, const char* key, const std::string& what,
                             const std::string& where)
{
  const std::string id = requireText(document, key, where);
  if (!isOrthancId(id))
  {
    throw InvalidTask(where + "." + key + ": \"" + id + "\" is not an Orthanc " + what + " id");
  }
  return id;
}

bool startsWith(const std::string& text, const std::string& prefix)
{
  return text.compare(0, prefix.size(), prefix) == 0;
}

// "nifti:<fingerprint>:<path>" -> (fingerprint, path)
std::pair<std::string, std::string> splitNifti(const std::string& source)
{
  const std::string rest = source.substr(std::string(kNifti).size());
  const size_t colon = rest.find(':');
  if (colon == std::string::npos)
  {
    return {"", rest};
  }
  return {rest.substr(0, colon), rest.substr(colon + 1)};
}
} // namespace

TaskReference TaskReference::parse(const Json& document, const std::string& where)
{
  if (!document.is_object())
  {
    throw InvalidTask(where + ": expected {\"image\", \"labels\", \"classes\"} or "
                              "{\"series\", \"seg\", \"classes\"}");
  }
  TaskReference reference;
  const bool nifti = document.contains("image") || document.contains("labels");
  const bool orthanc = document.contains("series") || document.contains("seg");
  if (nifti == orthanc)
  {
    throw InvalidTask(where + ": give either \"image\" and \"labels\" (NIfTI files) or \"series\" "
                              "and \"seg\" (Orthanc ids)");
  }
  const std::vector<std::string> known =
      nifti ? std::vector<std::string>{"image", "labels", "classes"}
            : std::vector<std::string>{"series", "seg", "classes"};
  for (const auto& item : document.items())
  {
    if (std::find(known.begin(), known.end(), item.key()) == known.end())
    {
      throw InvalidTask(where + ": unknown key \"" + item.key() + "\"");
    }
  }
  if (nifti)
  {
    reference.kind = Kind::Nifti;
    reference.image = requireText(document, "image", where);
    reference.labels = requireText(document, "labels", where);
  }
  else
  {
    reference.kind = Kind::OrthancSeg;
    reference.series = requireOrthancId(document, "series", "series", where);
    reference.seg = requireOrthancId(document, "seg", "instance", where);
  }
  if (!document.contains("classes") || !document["classes"].is_object() ||
      document["classes"].empty())
  {
    throw InvalidTask(where + ".classes: expected {\"<class name>\": <label value>, ...}");
  }
  for (const auto& item : document["classes"].items())
  {
    const Json& value = item.value();
    if (!dicom::isIntegerBetween(value, 1, 65535))
    {
      throw InvalidTask(where + ".classes." + item.key() + ": expected a " +
                        (nifti ? "label value" : "segment number") + " from 1 to 65535, got " +
                        value.dump());
    }
    reference.classes[item.key()] = value.get<uint16_t>();
  }
  return reference;
}

Json TaskReference::toJson() const
{
  Json document = kind == Kind::Nifti ? Json{{"image", image.string()}, {"labels", labels.string()}}
                                      : Json{{"series", series}, {"seg", seg}};
  document["classes"] = classes;
  return document;
}

std::string TaskReference::imageSource() const
{
  return kind == Kind::Nifti ? kNifti + imageFingerprint + ":" + image.string()
                             : kOrthancSeries + series;
}

std::string TaskReference::labelSource() const
{
  return kind == Kind::Nifti ? kNifti + labelFingerprint + ":" + labels.string()
                             : kOrthancSeg + seg;
}

TaskReference TaskReference::fromSources(const std::string& imageSource,
                                         const std::string& labelSource,
                                         const std::string& classMapJson)
{
  TaskReference reference;
  if (startsWith(imageSource, kNifti) && startsWith(labelSource, kNifti))
  {
    reference.kind = Kind::Nifti;
    std::tie(reference.imageFingerprint, reference.image) = splitNifti(imageSource);
    std::tie(reference.labelFingerprint, reference.labels) = splitNifti(labelSource);
  }
  else if (startsWith(imageSource, kOrthancSeries) && startsWith(labelSource, kOrthancSeg))
  {
    reference.kind = Kind::OrthancSeg;
    reference.series = imageSource.substr(std::string(kOrthancSeries).size());
    reference.seg = labelSource.substr(std::string(kOrthancSeg).size());
  }
  else
  {
    throw InvalidTask("stored reference \"" + imageSource + "\" / \"" + labelSource +
                      "\": unknown source kind");
  }
  reference.classes = Json::parse(classMapJson).get<std::map<std::string, uint16_t>>();
  return reference;
}

void TaskReference::resolveAgainst(const std::filesystem::path& folder)
{
  if (kind != Kind::Nifti || folder.empty())
  {
    return;
  }
  if (image.is_relative())
  {
    image = folder / image;
  }
  if (labels.is_relative())
  {
    labels = folder / labels;
  }
}

void TaskReference::fingerprint()
{
  if (kind == Kind::Nifti)
  {
    imageFingerprint = fileFingerprint(image);
    labelFingerprint = fileFingerprint(labels);
  }
}
} // namespace iris::plugin
