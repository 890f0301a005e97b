#include "dicom/SegWriter.h"
#include "dicom/SeriesReader.h"
#include "tests/dicom/SegTestSupport.h"
#include "tests/support/OrthancServer.h"
#include "tests/support/SharedData.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

namespace iris::test
{
namespace
{
std::string fileBytes(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Orthanc (without our plugin) stores the SEG bytes as a new series of the source study, and a
// second run as yet another series: new UIDs every time, nothing dropped as AlreadyStored.
TEST(SegOrthanc, StoresEachRunAsANewSeriesOfTheSourceStudy)
{
  const std::string seriesFolder = "udacity_hippocampus_testvolumes/Study3/11_HCropVolume";
  const auto source = sharedSegSource(seriesFolder);
  OrthancOptions options;
  options.loadPlugin = false;
  OrthancServer orthanc(options);
  orthanc.start();
  const auto client = orthanc.client();
  for (const auto& file : dicom::listSeriesFiles(sharedDataDir() / seriesFolder))
    ASSERT_EQ(client.post("/instances", fileBytes(file), "application/dicom").status, 200);

  const auto labels = syntheticLabels(source.series.image.geometry, 3);
  std::string studyId;
  for (int run = 0; run < 2; ++run)
  {
    const auto seg = dicom::writeSeg(labels, testSegments(3), source.series, source.attributes);
    const auto stored =
        client.post("/instances", std::string(seg.begin(), seg.end()), "application/dicom");
    ASSERT_EQ(stored.status, 200) << stored.body;
    const auto answer = stored.json();
    EXPECT_EQ(answer["Status"], "Success") << answer.dump();
    const auto study =
        client.get("/instances/" + answer["ID"].get<std::string>() + "/study").json();
    EXPECT_EQ(study["MainDicomTags"]["StudyInstanceUID"], source.series.studyInstanceUid);
    studyId = study["ID"].get<std::string>();
  }
  const auto series = client.get("/studies/" + studyId + "/series?expand").json();
  size_t segSeries = 0;
  for (const auto& one : series)
    segSeries += one["MainDicomTags"]["Modality"] == "SEG";
  EXPECT_EQ(series.size(), 3u) << series.dump();
  EXPECT_EQ(segSeries, 2u);
}
} // namespace
} // namespace iris::test
