// Training data: case loading and its errors, the synthetic shape-and-texture tasks, the
// augmentation both pairs go through, and the loss.
#include "inference/training/TrainingData.h"

#include "dicom/Nifti.h"
#include "inference/training/Augment.h"
#include "inference/training/SyntheticTasks.h"
#include "inference/training/TrainingLoss.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <gtest/gtest.h>

namespace iris::test
{
namespace training = inference::training;

namespace
{
void expectBinaryNonEmpty(const torch::Tensor& mask)
{
  EXPECT_GT(mask.sum().item<double>(), 0.0);
  EXPECT_TRUE(((mask == 0) | (mask == 1)).all().item<bool>());
}
} // namespace

TEST(SyntheticTasks, ReferenceAndQueryFollowOneRuleWithNonEmptyMatchingMasks)
{
  for (int seed = 0; seed < 8; ++seed)
  {
    torch::manual_seed(seed);
    const auto task = training::makeSyntheticTask(32);
    for (const auto* pair : {&task.reference, &task.query})
    {
      EXPECT_EQ(pair->image.sizes(), torch::IntArrayRef({1, 1, 32, 32, 32}));
      EXPECT_EQ(pair->mask.sizes(), pair->image.sizes());
      EXPECT_TRUE(torch::isfinite(pair->image).all().item<bool>());
      expectBinaryNonEmpty(pair->mask);
      // The target is not the whole scene: there is background to tell it from.
      EXPECT_LT(pair->mask.mean().item<double>(), 0.6);
    }
    // Two independent scenes, not one scene twice.
    EXPECT_FALSE(torch::equal(task.reference.mask, task.query.mask));
  }
}

TEST(SyntheticTasks, SameSeedSameTask)
{
  torch::manual_seed(7);
  const auto a = training::makeSyntheticTask(32);
  torch::manual_seed(7);
  const auto b = training::makeSyntheticTask(32);
  EXPECT_TRUE(torch::equal(a.query.image, b.query.image));
  EXPECT_TRUE(torch::equal(a.reference.mask, b.reference.mask));
}

TEST(Augment, KeepsMasksBinaryAndAlignedWithTheImage)
{
  torch::manual_seed(3);
  // A bright cube and its mask: after the shared affine, the mask still marks bright voxels.
  auto image = torch::zeros({1, 1, 32, 32, 32});
  image.slice(2, 8, 24).slice(3, 8, 24).slice(4, 8, 24).fill_(3.0);
  auto masks = (image > 1.0).to(torch::kFloat32);
  auto options = training::queryAugmentOptions();
  options.noiseMax = 0.0;
  options.blurProbability = 0.0;
  training::augmentInPlace(image, masks, options);
  expectBinaryNonEmpty(masks);
  const auto inside = image.masked_select(masks > 0).mean().item<double>();
  const auto outside = image.masked_select(masks == 0).mean().item<double>();
  EXPECT_GT(inside, outside + 1.0);
}

TEST(TrainingLoss, PerfectPredictionScoresLowerThanInverted)
{
  auto target = torch::zeros({1, 2, 16, 16, 16});
  target.slice(2, 4, 12).fill_(1.0);
  const auto good = training::segmentationLoss(target * 20 - 10, target).item<double>();
  const auto bad = training::segmentationLoss(10 - target * 20, target).item<double>();
  EXPECT_LT(good, 0.01);
  EXPECT_GT(bad, 1.0);
  const auto dice = training::diceScores(target[0], target[0]);
  EXPECT_TRUE(torch::allclose(dice, torch::ones({2}, torch::kFloat64)));
}
TEST(TrainingBadInput, LabelShapeMismatchAndEmptyClassAreNamed)
{
  TempDir dir;
  const auto shared = training::Manifest::read(sharedDataDir() / "manifest.json");
  const auto cases = shared.select({"msd_hippocampus"}, "train");
  ASSERT_GE(cases.size(), 2u);
  size_t other = 1;
  while (other < cases.size() && dicom::readNiftiGeometry(cases[other].image).size ==
                                     dicom::readNiftiGeometry(cases[0].image).size)
  {
    ++other;
  }
  ASSERT_LT(other, cases.size());
  auto mismatched = cases[0];
  mismatched.label = cases[other].label;
  try
  {
    training::loadCase(mismatched, 1.0);
    ADD_FAILURE() << "a label of another shape was accepted";
  }
  catch (const training::TrainingError& error)
  {
    EXPECT_NE(std::string(error.what()).find(cases[other].label.string()), std::string::npos)
        << error.what();
  }

  auto empty = cases[0];
  auto labels = dicom::readNiftiLabels(cases[0].label);
  std::fill(labels.voxels.begin(), labels.voxels.end(), 0);
  empty.label = dir / "empty.nii.gz";
  dicom::writeNiftiLabels(empty.label, labels);
  try
  {
    training::loadCase(empty, 1.0);
    ADD_FAILURE() << "a label without any class voxel was accepted";
  }
  catch (const training::TrainingError& error)
  {
    EXPECT_NE(std::string(error.what()).find("empty.nii.gz"), std::string::npos) << error.what();
  }
}

} // namespace iris::test
