#include "OrthancPlugin/SeriesRoutes.h"

#include "OrthancPlugin/OrthancSeriesLoader.h"
#include "OrthancPlugin/RestRouting.h"

#include <algorithm>
#include <numeric>

namespace iris::plugin
{
namespace
{
nlohmann::json describeVolume(const std::string& seriesId, const dicom::SeriesVolume& series)
{
  const auto& image = series.image;
  const auto [low, high] = std::minmax_element(image.voxels.begin(), image.voxels.end());
  const double sum = std::accumulate(image.voxels.begin(), image.voxels.end(), 0.0);
  const auto& geometry = image.geometry;
  return {{"series", seriesId},
          {"modality", series.modality},
          {"size", geometry.size},
          {"spacing", geometry.spacing},
          {"origin", geometry.origin},
          {"axes", geometry.axes},
          {"frameOfReferenceUid", series.frameOfReferenceUid},
          {"slices", series.slices.size()},
          {"minimum", image.voxels.empty() ? 0.0 : *low},
          {"maximum", image.voxels.empty() ? 0.0 : *high},
          {"mean", image.voxels.empty() ? 0.0 : sum / static_cast<double>(image.voxels.size())}};
}

RestAnswer volume(const RestRequest& request)
{
  const std::string& seriesId = request.groups.at(0);
  if (!isOrthancId(seriesId))
  {
    throw HttpError(400, "\"" + seriesId + "\" is not an Orthanc series id");
  }
  return RestAnswer::json(describeVolume(seriesId, loadRequestedSeries(seriesId).series));
}
} // namespace

void registerSeriesRoutes()
{
  Route route;
  route.regex = "/iris/series/([^/]+)/volume";
  route.get = volume;
  registerRoute(std::move(route));
}
} // namespace iris::plugin
