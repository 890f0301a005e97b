// The shipped model (models/iris-default.pt) segments what its reference marks: the two
// hippocampus parts, in the reference's class order, from a reference or from the memory bank.
// Earlier default models found the whole hippocampus but gave both parts the same answer
// whatever the reference said (models/README.md); these checks fail for such a model.
#include "dicom/LabelOverlap.h"
#include "dicom/Nifti.h"
#include "inference/Segmenter.h"
#include "tests/support/SharedData.h"

#include <algorithm>
#include <gtest/gtest.h>

namespace iris::inference
{
namespace
{
// The query is the integration tests' validation case; the reference a training case.
constexpr double kPartDiceFloor = 0.7; // the shipped model scores 0.81-0.84 here
constexpr uint16_t kAnterior = 1, kPosterior = 2;

using test::hippocampus;

class DefaultModel : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    SegmenterOptions options;
    options.model = std::filesystem::path(IRIS_MODELS_DIR) / "iris-default.pt";
    options.device = "cpu";
    options.threads = 2;
    segmenter = new Segmenter(options);
    query = new dicom::ImageVolume(dicom::readNiftiImage(hippocampus("images", "hippocampus_015")));
    truth =
        new dicom::LabelVolume(dicom::readNiftiLabels(hippocampus("labels", "hippocampus_015")));
    referenceImage =
        new dicom::ImageVolume(dicom::readNiftiImage(hippocampus("images", "hippocampus_001")));
    referenceLabels =
        new dicom::LabelVolume(dicom::readNiftiLabels(hippocampus("labels", "hippocampus_001")));
  }
  static void TearDownTestSuite()
  {
    delete segmenter;
    delete query;
    delete truth;
    delete referenceImage;
    delete referenceLabels;
  }

  // Dice of output class k (label k+1) against the true part expected[k].
  static std::vector<double> partDice(const SegmentRequest& request,
                                      const std::vector<uint16_t>& expected)
  {
    auto predicted = segmenter->segment(*query, "MR", request).labels;
    for (auto& value : predicted.voxels)
    {
      value = value == 0 ? 0 : expected.at(value - 1);
    }
    const auto overlaps = dicom::compareLabels(*truth, predicted); // the truth holds both parts
    std::vector<double> dice;
    for (const auto part : expected)
    {
      dice.push_back(std::find_if(overlaps.begin(), overlaps.end(),
                                  [&](const auto& overlap) { return overlap.label == part; })
                         ->dice());
    }
    return dice;
  }

  static SegmentRequest fromReference(const std::vector<uint16_t>& classValues)
  {
    SegmentRequest request;
    request.references.push_back({referenceImage, referenceLabels, classValues, "MR"});
    return request;
  }

  static inline Segmenter* segmenter = nullptr;
  static inline dicom::ImageVolume* query = nullptr;
  static inline dicom::LabelVolume* truth = nullptr;
  static inline dicom::ImageVolume* referenceImage = nullptr;
  static inline dicom::LabelVolume* referenceLabels = nullptr;
};
} // namespace

TEST_F(DefaultModel, SegmentsBothHippocampusPartsInTheReferencesOrder)
{
  for (const auto& order :
       {std::vector<uint16_t>{kAnterior, kPosterior}, std::vector<uint16_t>{kPosterior, kAnterior}})
  {
    const auto dice = partDice(fromReference(order), order);
    for (size_t k = 0; k < order.size(); ++k)
    {
      EXPECT_GE(dice[k], kPartDiceFloor) << "class " << k << " shows part " << order[k];
    }
  }
}

TEST_F(DefaultModel, MemoryBankRowsSegmentTheirOwnPart)
{
  for (const auto& [name, part] : {std::pair{"msd_hippocampus:hippocampus anterior", kAnterior},
                                   std::pair{"msd_hippocampus:hippocampus posterior", kPosterior}})
  {
    SegmentRequest request;
    request.strategy = Strategy::MemoryBank;
    request.memoryBankRows = {segmenter->memoryBankRow(name)};
    EXPECT_GE(partDice(request, {part})[0], kPartDiceFloor) << name;
  }
}
} // namespace iris::inference
