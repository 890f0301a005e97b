#pragma once

#include "OrthancPlugin/OrthancId.h"
#include "dicom/SegSource.h"
#include "dicom/SeriesOptions.h"

#include <string>

namespace iris::plugin
{
// Assembles an Orthanc series into a volume, with what a SEG for it needs. Instances are fetched
// through Orthanc's REST API; frames DCMTK cannot decode go to Orthanc's own decoders. Throws
// OrthancRestError (404 semantics via notFound()) or the dicom library's DicomError subclasses.
dicom::SegSource loadSeriesFromOrthanc(const std::string& seriesId,
                                       dicom::SeriesReadOptions options = {});

// loadSeriesFromOrthanc for a REST route: HttpError 404 when Orthanc has no such series, 422
// with the reader's reason when it cannot be assembled, 502 for Orthanc's other refusals.
dicom::SegSource loadRequestedSeries(const std::string& seriesId,
                                     dicom::SeriesReadOptions options = {});
} // namespace iris::plugin
