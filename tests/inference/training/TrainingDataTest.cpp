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
#include <set>

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

TEST(SyntheticTasks, ReferenceAndQueryFollowTheSameRulesWithNonEmptyDisjointClasses)
{
  std::set<int64_t> classCounts;
  for (int seed = 0; seed < 24; ++seed)
  {
    torch::manual_seed(seed);
    const auto task = training::makeSyntheticTask(32, 3);
    const auto classes = task.reference.masks.size(1);
    classCounts.insert(classes);
    for (const auto* pair : {&task.reference, &task.query})
    {
      EXPECT_EQ(pair->image.sizes(), torch::IntArrayRef({1, 1, 32, 32, 32}));
      EXPECT_EQ(pair->masks.sizes(), torch::IntArrayRef({1, classes, 32, 32, 32}));
      EXPECT_TRUE(torch::isfinite(pair->image).all().item<bool>());
      for (int64_t k = 0; k < classes; ++k)
      {
        expectBinaryNonEmpty(pair->masks[0][k]);
      }
      // Each voxel belongs to one class at most, and there is background to tell them from.
      EXPECT_LE(pair->masks.sum(1).max().item<double>(), 1.0) << "seed " << seed;
      EXPECT_LT(pair->masks.sum(1).mean().item<double>(), 0.6);
    }
    // Two independent scenes, not one scene twice.
    EXPECT_FALSE(torch::equal(task.reference.masks, task.query.masks));
  }
  EXPECT_EQ(classCounts, (std::set<int64_t>{1, 2, 3}));
}

TEST(SyntheticTasks, SplitBlobHalvesLieOnTheSameSidesInReferenceAndQuery)
{
  // A split task marks a blob's halves as two classes that touch across a plane; which side
  // each lies on is the rule, so class 1 lies above class 0 along one axis in both scenes.
  // Two blob kinds touch only where one hides part of the other, on either side.
  const auto touching = [](const torch::Tensor& masks)
  {
    namespace F = torch::nn::functional;
    const auto grown = F::max_pool3d(masks[0][0].view({1, 1, 32, 32, 32}),
                                     F::MaxPool3dFuncOptions(3).stride(1).padding(1));
    return (grown[0][0] * masks[0][1]).sum().item<double>() > 20.0;
  };
  const auto offset = [](const torch::Tensor& masks)
  {
    const auto centroid = [](const torch::Tensor& mask)
    { return torch::nonzero(mask).to(torch::kFloat64).mean(0); };
    return centroid(masks[0][1]) - centroid(masks[0][0]);
  };
  int pairs = 0, sameSide = 0;
  for (int seed = 0; seed < 40; ++seed)
  {
    torch::manual_seed(seed);
    const auto task = training::makeSyntheticTask(32, 2);
    if (task.reference.masks.size(1) != 2 || !touching(task.reference.masks) ||
        !touching(task.query.masks))
    {
      continue;
    }
    const auto reference = offset(task.reference.masks);
    const auto axis = reference.abs().argmax().item<int64_t>();
    ++pairs;
    sameSide +=
        reference[axis].item<double>() > 0.0 && offset(task.query.masks)[axis].item<double>() > 0.0;
  }
  EXPECT_GE(pairs, 5);
  EXPECT_GE(sameSide, pairs * 7 / 10) << sameSide << " of " << pairs;
}

TEST(SyntheticTasks, SameSeedSameTask)
{
  torch::manual_seed(7);
  const auto a = training::makeSyntheticTask(32, 3);
  torch::manual_seed(7);
  const auto b = training::makeSyntheticTask(32, 3);
  EXPECT_TRUE(torch::equal(a.query.image, b.query.image));
  EXPECT_TRUE(torch::equal(a.reference.masks, b.reference.masks));
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
TEST(TrainingLoss, ClassSeparationPushesCoincidingWeightsApartAndIgnoresSeparatedOnes)
{
  // Two classes with all but the same weights, as a collapsed class head gives them: the loss
  // is about the margin and its gradient moves them apart, where a cosine's would vanish.
  auto same = (torch::tensor({1.0f, 2.0f, 3.0f}).repeat({1, 2, 1}) +
               torch::tensor({0.0f, 0.0f, 0.0f, 1e-4f, 0.0f, 0.0f}).view({1, 2, 3}))
                  .requires_grad_(true);
  auto loss = training::classSeparationLoss(same, 0.4);
  EXPECT_NEAR(loss.item<double>(), 0.4, 1e-4);
  loss.backward();
  EXPECT_GT(same.grad().abs().sum().item<double>(), 0.0);
  auto moved = (same - 0.05 * same.grad()).detach();
  EXPECT_LT(training::classSeparationLoss(moved, 0.4).item<double>(), 0.4);

  // Weights already further apart than the margin, and a single class, cost nothing.
  const auto apart = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f}).view({1, 2, 3});
  EXPECT_EQ(training::classSeparationLoss(apart, 0.4).item<double>(), 0.0);
  EXPECT_EQ(training::classSeparationLoss(torch::ones({1, 1, 3}), 0.4).item<double>(), 0.0);
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
