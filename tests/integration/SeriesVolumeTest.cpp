#include "dicom/DicomInput.h"
#include "dicom/Nifti.h"
#include "tests/support/OrthancServer.h"
#include "tests/support/SharedData.h"

#include <gtest/gtest.h>
#include <numeric>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;

constexpr const char* kGdcmPlugin = "/usr/share/orthanc/plugins/libOrthancGdcm.so";
constexpr const char* kJpeg2000Series = "dicom2nifti/generic/compressed_j2k/001";

// Uploads every file of a fixture folder through REST and returns the one series id.
std::string upload(const OrthancServer& orthanc, const std::string& fixture)
{
  std::string seriesId;
  for (const auto& entry : std::filesystem::directory_iterator(sharedDataDir() / fixture))
  {
    const auto answer = orthanc.client().post("/instances", dicom::readFileBytes(entry.path()),
                                              "application/dicom");
    EXPECT_EQ(answer.status, 200) << entry.path() << ": " << answer.body;
    seriesId = answer.json()["ParentSeries"].get<std::string>();
  }
  return seriesId;
}

OrthancOptions withGdcm()
{
  OrthancOptions options;
  options.configuration = {{"Plugins", Json::array({IRIS_PLUGIN_PATH, kGdcmPlugin})}};
  return options;
}

TEST(SeriesVolume, DescribesAnUncompressedSeries)
{
  const std::string fixture = "udacity_hippocampus_testvolumes/Study3/11_HCropVolume";
  OrthancServer orthanc;
  const auto series = upload(orthanc, fixture);
  const auto response = orthanc.client().get("/iris/series/" + series + "/volume");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto volume = response.json();
  const auto expected = dicomFixture(fixture)["expected"]["shape"];
  EXPECT_EQ(volume["size"], expected);
  EXPECT_EQ(volume["slices"], expected[2]);
  EXPECT_EQ(volume["modality"], "MR");
}

TEST(SeriesVolume, Jpeg2000IsDecodedByOrthancThroughItsGdcmPlugin)
{
  OrthancServer orthanc(withGdcm());
  const auto series = upload(orthanc, kJpeg2000Series);
  const auto response = orthanc.client().get("/iris/series/" + series + "/volume");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto volume = response.json();

  const auto& fixture = dicomFixture(kJpeg2000Series);
  EXPECT_EQ(volume["size"], fixture["expected"]["shape"]);
  const auto truth = dicom::readNiftiImage(
      sharedDataDir() / fixture["expected"]["ground_truth_nifti"].get<std::string>());
  const auto [low, high] = std::minmax_element(truth.voxels.begin(), truth.voxels.end());
  const double mean = std::accumulate(truth.voxels.begin(), truth.voxels.end(), 0.0) /
                      static_cast<double>(truth.voxels.size());
  // Lossless JPEG 2000: the decoded values equal the ground truth's.
  EXPECT_EQ(volume["minimum"].get<double>(), *low);
  EXPECT_EQ(volume["maximum"].get<double>(), *high);
  EXPECT_NEAR(volume["mean"].get<double>(), mean, 1e-3 * std::max(1.0, std::abs(mean)));
}

TEST(SeriesVolume, Jpeg2000WithoutADecoderPluginIsAClearError)
{
  OrthancServer orthanc;
  const auto series = upload(orthanc, kJpeg2000Series);
  const auto response = orthanc.client().get("/iris/series/" + series + "/volume");
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_NE(response.json()["error"].get<std::string>().find("orthanc-gdcm"), std::string::npos)
      << response.body;
}

TEST(SeriesVolume, BadIdsAndNonImages)
{
  OrthancServer orthanc;
  EXPECT_EQ(orthanc.client().get("/iris/series/not-an-id/volume").status, 400);
  EXPECT_EQ(orthanc.client()
                .get("/iris/series/00000000-00000000-00000000-00000000-00000000/volume")
                .status,
            404);
  const auto stored =
      orthanc.client()
          .post("/instances", dicom::readFileBytes(sharedDataDir() / "dcmqi_seg/liver.dcm"),
                "application/dicom")
          .json();
  const auto response =
      orthanc.client().get("/iris/series/" + stored["ParentSeries"].get<std::string>() + "/volume");
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_FALSE(response.json()["error"].get<std::string>().empty());
}
} // namespace
} // namespace iris::test
