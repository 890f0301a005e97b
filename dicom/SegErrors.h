#pragma once

#include "dicom/DicomError.h"

namespace iris::dicom
{
// Every DICOM-SEG failure derives from SegError, so callers can catch the family at once; it is
// a DicomError like the library's other input errors. Bytes that are not DICOM at all, or are
// cut short before the dataset ends, raise DicomReadError from the shared DICOM input layer.
class SegError : public DicomError
{
public:
  using DicomError::DicomError;
};

// The caller's input to the writer is inconsistent (label volume off the source grid, label
// values without a segment description, bad segment descriptions).
class SegInputError : public SegError
{
public:
  using SegError::SegError;
};

// A DICOM object that is not a Segmentation Storage object (wrong SOP class).
class NotASegError : public SegError
{
public:
  using SegError::SegError;
};

// A SEG whose content is malformed: truncated, missing mandatory attributes, pixel data of
// the wrong length, frames without a segment.
class SegFormatError : public SegError
{
public:
  using SegError::SegError;
};

// A SEG that does not fit the series it is read against: frames referencing instances that
// are not in the series, another frame of reference, another grid.
class SegReferenceError : public SegError
{
public:
  using SegError::SegError;
};

// DCMTK refused an operation while building or serialising a SEG.
class SegEncodingError : public SegError
{
public:
  using SegError::SegError;
};
} // namespace iris::dicom
