#include "OrthancPlugin/OrthancSeriesLoader.h"

#include "OrthancPlugin/OrthancFrameDecoder.h"
#include "OrthancPlugin/OrthancRest.h"
#include "OrthancPlugin/RestRouting.h"
#include "dicom/DicomError.h"
#include "dicom/SeriesReader.h"

namespace iris::plugin
{
dicom::SegSource loadSeriesFromOrthanc(const std::string& seriesId,
                                       dicom::SeriesReadOptions options)
{
  static const OrthancFrameDecoder decoder;
  options.frameDecoder = &decoder;

  const auto instanceIds = restGetJson("/series/" + seriesId).at("Instances");
  // Checked before the download: a series of single-frame images has one slice per instance.
  if (instanceIds.size() > options.cap.slices)
  {
    throw dicom::VolumeTooLargeError("Series " + seriesId + " has " +
                                     std::to_string(instanceIds.size()) +
                                     " instances, over the cap of " +
                                     std::to_string(options.cap.slices) + " slices");
  }
  std::vector<std::string> files;
  files.reserve(instanceIds.size());
  for (const auto& id : instanceIds)
  {
    files.push_back(restGet("/instances/" + id.get<std::string>() + "/file"));
  }
  std::vector<dicom::DicomBuffer> buffers;
  for (size_t i = 0; i < files.size(); ++i)
  {
    buffers.push_back({"instance " + instanceIds[i].get<std::string>(), files[i]});
  }
  dicom::SegSource source;
  source.series = dicom::readSeriesBuffers(buffers, options);
  source.attributes = dicom::segSourceAttributesFromBuffer(
      std::vector<uint8_t>(files.front().begin(), files.front().end()));
  return source;
}

dicom::SegSource loadRequestedSeries(const std::string& seriesId, dicom::SeriesReadOptions options)
{
  try
  {
    return loadSeriesFromOrthanc(seriesId, options);
  }
  catch (const OrthancRestError& error)
  {
    throw error.notFound() ? HttpError(404, "No series " + seriesId + " in Orthanc")
                           : HttpError(502, error.what());
  }
  catch (const dicom::DicomError& error)
  {
    throw HttpError(422,
                    "Series " + seriesId + " cannot be assembled into a volume: " + error.what());
  }
}
} // namespace iris::plugin
