#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iris::plugin
{
// One labelled example of a task: either two NIfTI files, or an Orthanc series with a DICOM-SEG
// of it. `classes` maps each task class to the label value (NIfTI) or segment number (SEG) that
// marks it in this reference.
struct TaskReference
{
  enum class Kind
  {
    Nifti,
    OrthancSeg
  };
  Kind kind = Kind::Nifti;
  std::filesystem::path image;  // Nifti: image file
  std::filesystem::path labels; // Nifti: label file on the image's grid
  std::string series;           // OrthancSeg: Orthanc series id of the image
  std::string seg;              // OrthancSeg: Orthanc instance id of the SEG
  std::map<std::string, uint16_t> classes;
  // Content fingerprints of the NIfTI files (ModelIdentity.h), part of the stored identity so
  // that cached embeddings of a replaced file are not reused. Empty until fingerprint().
  std::string imageFingerprint;
  std::string labelFingerprint;

  // Throws InvalidTask naming `where` and the offending key.
  static TaskReference parse(const nlohmann::json& document, const std::string& where);
  nlohmann::json toJson() const;

  // How reference_contexts stores it: "nifti:<fingerprint>:<path>" / "orthanc-series:<id>" and
  // "nifti:<fingerprint>:<path>" / "orthanc-seg:<id>".
  std::string imageSource() const;
  std::string labelSource() const;
  static TaskReference fromSources(const std::string& imageSource, const std::string& labelSource,
                                   const std::string& classMapJson);

  // Relative NIfTI paths become `folder / path` (the Orthanc configuration file's folder).
  void resolveAgainst(const std::filesystem::path& folder);
  // Reads the NIfTI files' fingerprints ("missing" for a file that cannot be read).
  void fingerprint();
};
} // namespace iris::plugin
