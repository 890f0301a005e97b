#include "inference/Checkpoint.h"

#include "inference/CheckpointStateDict.h"
#include "inference/IrisModel.h"
#include "tests/support/Process.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"

#include <fstream>
#include <gtest/gtest.h>

namespace iris::inference
{
namespace
{
std::filesystem::path parityVectors()
{
  return test::sharedDir() / "parity" / "iris_tiny.pt";
}

// Runs tests/inference/network/make_checkpoint.py with Debian's python3-torch.
std::filesystem::path makeCheckpoint(const test::TempDir& dir, const std::string& mode)
{
  const auto path = dir / (mode + ".pth");
  const auto result =
      test::runProcess({"/usr/bin/python3",
                        (test::sourceDir() / "tests/inference/network/make_checkpoint.py").string(),
                        parityVectors().string(), path.string(), mode});
  EXPECT_EQ(result.exitCode, 0) << result.output;
  return path;
}

test::ProcessResult iris(const std::vector<std::string>& args)
{
  std::vector<std::string> argv{IRIS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::runProcess(argv, std::chrono::seconds(300));
}

const IrisModel& parityModel()
{
  static const IrisModel model =
      modelFromCheckpoint(readTorchPickle(parityVectors()), parityVectors().string(), {});
  return model;
}

void expectSameWeights(const IrisModel& actual, const IrisModel& expected)
{
  const auto expectedTensors = expected.namedTensors();
  const auto actualTensors = actual.namedTensors();
  ASSERT_EQ(actualTensors.size(), expectedTensors.size());
  for (size_t i = 0; i < actualTensors.size(); ++i)
  {
    ASSERT_EQ(actualTensors[i].first, expectedTensors[i].first);
    ASSERT_TRUE(torch::equal(actualTensors[i].second, expectedTensors[i].second))
        << actualTensors[i].first;
  }
}

TEST(CheckParity, SharedVectorsPassWithEveryOutputListed)
{
  const auto result = iris({"check-parity", parityVectors().string(), "--threads", "1"});
  EXPECT_EQ(result.exitCode, 0) << result.output;
  for (const char* output : {"out.encoder.4", "out.ref_encoder.2", "out.task_embedding.0",
                             "out.posterior.2", "out.classifier_weights", "out.logits",
                             "out.membank_posterior.0", "out.logits_membank", "PASS"})
  {
    EXPECT_NE(result.output.find(output), std::string::npos) << output;
  }
}

TEST(CheckParity, FailsWhenTheToleranceIsBelowFloatNoise)
{
  const auto result =
      iris({"check-parity", parityVectors().string(), "--tolerance", "1e-12", "--threads", "1"});
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_NE(result.output.find("FAIL"), std::string::npos);
}

TEST(ImportCheckpoint, TrainingCheckpointYieldsItsEmaWeightsAndConfig)
{
  test::TempDir dir;
  const auto source = makeCheckpoint(dir, "training");
  const auto target = dir / "imported.pt";
  const auto result = iris({"import-checkpoint", source.string(), target.string()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("\"ema_model\""), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("config.model"), std::string::npos) << result.output;

  const auto imported = IrisModel::load(target);
  EXPECT_EQ(imported.config(), parityModel().config());
  EXPECT_EQ(readCheckpointConfig(target), parityModel().config());
  expectSameWeights(imported, parityModel());
}

TEST(ImportCheckpoint, PlainStateDictLoadsWithAGivenConfig)
{
  test::TempDir dir;
  const auto source = makeCheckpoint(dir, "plain");
  {
    std::ofstream(dir / "model.json") << parityModel().config().toJsonString();
  }
  const auto target = dir / "imported.pt";
  const auto result = iris({"import-checkpoint", source.string(), target.string(), "--config",
                            (dir / "model.json").string()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  expectSameWeights(IrisModel::load(target), parityModel());
}

TEST(ImportCheckpoint, WrongArchitectureIsRefusedNamingEveryMismatch)
{
  test::TempDir dir;
  const auto source = makeCheckpoint(dir, "broken");
  {
    std::ofstream(dir / "model.json") << parityModel().config().toJsonString();
  }
  const auto target = dir / "imported.pt";
  const auto result = iris({"import-checkpoint", source.string(), target.string(), "--config",
                            (dir / "model.json").string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.output.find("Missing: out.norm.bias"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Unexpected: out.extra.weight"), std::string::npos);
  EXPECT_NE(result.output.find("Shape mismatch: encoder.inc.conv1.weight"), std::string::npos);
  EXPECT_NE(result.output.find("nothing was loaded"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(target));

  // The released config does not fit the tiny weights either: every tensor is named.
  const auto released =
      iris({"import-checkpoint", makeCheckpoint(dir, "plain").string(), target.string()});
  EXPECT_EQ(released.exitCode, 1);
  EXPECT_NE(released.output.find("Shape mismatch: task_prior_0"), std::string::npos);
}

TEST(ImportCheckpoint, PatchSizeCropsPositionalEmbeddingsWithoutChangingSmallerInputs)
{
  test::TempDir dir;
  const auto target = dir / "cropped.pt";
  const auto result =
      iris({"import-checkpoint", parityVectors().string(), target.string(), "--patch-size", "64"});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto cropped = IrisModel::load(target);
  EXPECT_EQ(cropped.config().patchSize, 64);

  const auto vectors = readTorchPickle(parityVectors());
  const auto query = vectors.find("in.query_image")->tensor;
  const auto embedding =
      cropped.encode(vectors.find("in.ref_image")->tensor, vectors.find("in.ref_masks")->tensor);
  const auto expected = vectors.find("out.logits")->tensor;
  const auto difference = (cropped.decodeLogits(query, embedding) - expected).abs().max();
  EXPECT_LE(difference.item<double>(), 1e-4 * expected.abs().max().item<double>());
}

TEST(ImportCheckpoint, UnreadableFilesGetClearErrors)
{
  test::TempDir dir;
  {
    std::ofstream(dir / "text.pth") << "not a checkpoint";
  }
  const auto garbage =
      iris({"import-checkpoint", (dir / "text.pth").string(), (dir / "out.pt").string()});
  EXPECT_EQ(garbage.exitCode, 1);
  EXPECT_NE(garbage.output.find("zip-format torch.save"), std::string::npos) << garbage.output;
  const auto missing =
      iris({"import-checkpoint", (dir / "absent.pth").string(), (dir / "out.pt").string()});
  EXPECT_NE(missing.output.find("does not exist"), std::string::npos) << missing.output;
  EXPECT_EQ(iris({"import-checkpoint", "only-one-argument"}).exitCode, 2);
}

// Small enough to build in milliseconds, with every kind of tensor the format stores.
IrisConfig smallConfig()
{
  IrisConfig config;
  config.channels = {8, 16, 32, 32, 64};
  config.numBlock = {1, 1, 1, 1};
  config.tn = 2;
  config.patchSize = 16;
  return config;
}

TEST(OwnCheckpoint, SaveAndLoadRoundTripConfigAndWeights)
{
  test::TempDir dir;
  const IrisConfig config = smallConfig();
  torch::manual_seed(3);
  const IrisModel model(config);
  model.save(dir / "model.pt");
  const auto loaded = IrisModel::load(dir / "model.pt");
  EXPECT_EQ(loaded.config(), config);
  expectSameWeights(loaded, model);
}

TEST(OwnCheckpoint, Float16StorageHalvesTheFileAndLoadsAsFloat32)
{
  test::TempDir dir;
  const IrisConfig config = smallConfig();
  torch::manual_seed(5);
  const IrisModel model(config);
  model.save(dir / "full.pt");
  model.save(dir / "half.pt", WeightPrecision::Float16);
  EXPECT_LT(std::filesystem::file_size(dir / "half.pt"),
            0.6 * std::filesystem::file_size(dir / "full.pt"));
  const auto loaded = IrisModel::load(dir / "half.pt");
  EXPECT_EQ(loaded.config(), config);
  const auto original = model.namedTensors();
  const auto reloaded = loaded.namedTensors();
  ASSERT_EQ(original.size(), reloaded.size());
  for (size_t n = 0; n < original.size(); ++n)
  {
    const auto& expected = original[n].second;
    const auto& found = reloaded[n].second;
    ASSERT_EQ(found.scalar_type(), expected.scalar_type()) << original[n].first;
    // float16 keeps 11 significant bits: a relative error of at most 2^-11 per weight.
    EXPECT_TRUE(torch::allclose(found, expected, 1.0 / 2048, 1e-7)) << original[n].first;
  }
}
} // namespace
} // namespace iris::inference
