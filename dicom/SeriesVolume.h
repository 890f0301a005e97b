#pragma once

#include "dicom/Volume.h"

#include <string>
#include <vector>

namespace iris::dicom
{
// One source slice of a volume, as a DICOM-SEG must reference it.
struct SourceSlice
{
  std::string sopInstanceUid;
  std::string sopClassUid;
  int frameNumber = 0; // 1-based frame within a multi-frame instance; 0 for single-frame
};

// A series assembled into a volume, with what a derived object (DICOM-SEG) needs to refer back.
struct SeriesVolume
{
  ImageVolume image;               // rescaled values (e.g. HU), float
  std::vector<SourceSlice> slices; // slices[k] is the source of image slice k
  std::string studyInstanceUid;
  std::string seriesInstanceUid;
  std::string frameOfReferenceUid;
  std::string modality;

  // Patient, study and series attributes a derived object (SEG, converted series) copies; empty
  // when the source lacks them. Taken from the first slice.
  std::string patientName;
  std::string patientId;
  std::string patientBirthDate;
  std::string patientSex;
  std::string studyDate;
  std::string studyTime;
  std::string studyId;
  std::string studyDescription;
  std::string accessionNumber;
  std::string referringPhysicianName;
  std::string seriesDescription;
  std::string seriesNumber;
  std::string manufacturer;
};
} // namespace iris::dicom
