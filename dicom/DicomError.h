#pragma once

#include <stdexcept>
#include <string>

namespace iris::dicom
{
// Base of every error raised for DICOM input that cannot be used; what() names the file or
// instance and the cause. Catch this to report any bad input; catch a subclass to react.
class DicomError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// Not DICOM at all, truncated, or unreadable (missing file, I/O error).
class DicomReadError : public DicomError
{
public:
  using DicomError::DicomError;
};

// A DICOM object that is not an image: SR, PR, SEG, RTSTRUCT, ...
class NotAnImageError : public DicomError
{
public:
  using DicomError::DicomError;
};

// An image object without Pixel Data (or with less data than its attributes declare).
class MissingPixelDataError : public DicomError
{
public:
  using DicomError::DicomError;
};

// Pixel data this library cannot decode: e.g. JPEG 2000 without a FrameDecoder.
class UnsupportedTransferSyntaxError : public DicomError
{
public:
  UnsupportedTransferSyntaxError(const std::string& message, std::string transferSyntaxUid)
      : DicomError(message), transferSyntaxUid_(std::move(transferSyntaxUid))
  {
  }
  const std::string& transferSyntaxUid() const { return transferSyntaxUid_; }

private:
  std::string transferSyntaxUid_;
};

// Pixel layouts a scalar volume cannot hold: colour, palette, more than 16 bits, ...
class UnsupportedPixelFormatError : public DicomError
{
public:
  using DicomError::DicomError;
};

// Rows, columns or slices over the configured cap.
class VolumeTooLargeError : public DicomError
{
public:
  using DicomError::DicomError;
};

// Why a set of slices does not form one regular volume.
enum class SeriesProblem
{
  NoImages,
  MixedSeries,
  MixedSize,
  MixedOrientation,
  MixedPixelSpacing,
  NotAVolume,        // every slice at the same position
  DuplicateSlices,   // some slices share a position
  NonUniformSpacing, // a gap (missing slice) or irregular steps
  GantryTilt,        // slices step off the image normal
  TooFewSlices,
  BadGeometry, // orientation or spacing attributes missing or malformed
};

const char* describe(SeriesProblem problem);

class InconsistentSeriesError : public DicomError
{
public:
  InconsistentSeriesError(SeriesProblem problem, const std::string& details)
      : DicomError(std::string("Not a regular volume (") + describe(problem) + "): " + details),
        problem_(problem)
  {
  }
  SeriesProblem problem() const { return problem_; }

private:
  SeriesProblem problem_;
};
} // namespace iris::dicom
