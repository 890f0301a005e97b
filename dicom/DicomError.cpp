#include "dicom/DicomError.h"

namespace iris::dicom
{
const char* describe(SeriesProblem problem)
{
  switch (problem)
  {
  case SeriesProblem::NoImages:
    return "no images";
  case SeriesProblem::MixedSeries:
    return "mixed series";
  case SeriesProblem::MixedSize:
    return "mixed image size";
  case SeriesProblem::MixedOrientation:
    return "mixed orientation";
  case SeriesProblem::MixedPixelSpacing:
    return "mixed pixel spacing";
  case SeriesProblem::NotAVolume:
    return "not a volume, all slices at one position";
  case SeriesProblem::DuplicateSlices:
    return "duplicate slices";
  case SeriesProblem::NonUniformSpacing:
    return "non-uniform spacing or missing slice";
  case SeriesProblem::GantryTilt:
    return "gantry tilt";
  case SeriesProblem::TooFewSlices:
    return "too few slices";
  case SeriesProblem::BadGeometry:
    return "missing or malformed geometry";
  }
  return "unknown problem";
}
} // namespace iris::dicom
