#include "inference/IrisModel.h"
#include "inference/IrisNetwork.h"
#include "inference/modules/IrisLayers.h"
#include "tests/support/SharedData.h"

#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sstream>

namespace iris::inference
{
namespace
{
// Small enough for unit tests, yet every code path of the full network (3 prior stages,
// identity and conv shortcuts, 1 and 2 attention heads).
IrisConfig smallConfig()
{
  IrisConfig config;
  config.channels = {8, 16, 32, 32, 64};
  config.numBlock = {1, 1, 1, 1};
  config.tn = 4;
  config.patchSize = 32;
  return config;
}

struct SmallNetwork : ::testing::Test
{
  void SetUp() override
  {
    torch::manual_seed(0);
    model = std::make_unique<IrisModel>(smallConfig());
    image = torch::randn({1, 1, 32, 32, 16});
    masks = torch::zeros({1, 3, 32, 32, 16});
    masks.index_put_({0, 0, torch::indexing::Slice(4, 12)}, 1.0);
    masks.index_put_({0, 1, torch::indexing::Slice(16, 24), torch::indexing::Slice(0, 10)}, 1.0);
    masks.index_put_({0, 2, torch::indexing::Slice(20, 30), torch::indexing::Slice(20, 30)}, 1.0);
  }
  std::unique_ptr<IrisModel> model;
  torch::Tensor image, masks;
};

template <typename Call> std::string errorOf(Call call)
{
  try
  {
    call();
  }
  catch (const std::exception& error)
  {
    return error.what();
  }
  return "no error";
}

TEST(IrisNetworkNames, FullConfigDeclaresExactlyTheReferenceNamesAndShapes)
{
  std::ifstream keys(test::sharedDir() / "parity" / "iris_base_keys.txt");
  ASSERT_TRUE(keys) << "missing iris_base_keys.txt";
  std::map<std::string, std::vector<int64_t>> expected;
  for (std::string line; std::getline(keys, line);)
  {
    if (line.empty() || line[0] == '#')
    {
      continue;
    }
    std::istringstream fields(line);
    std::string name, shape;
    std::getline(fields, name, '\t');
    std::getline(fields, shape, '\t');
    std::vector<int64_t> sizes;
    std::istringstream dims(shape.substr(1, shape.size() - 2));
    for (std::string dim; std::getline(dims, dim, ',');)
    {
      sizes.push_back(std::stoll(dim));
    }
    expected[name] = sizes;
  }
  ASSERT_EQ(expected.size(), 572u);

  const IrisModel model(IrisConfig::released());
  std::map<std::string, std::vector<int64_t>> declared;
  int64_t parameters = 0;
  for (const auto& [name, tensor] : model.namedTensors())
  {
    declared[name] = tensor.sizes().vec();
  }
  for (const auto& parameter : model.network().parameters())
  {
    parameters += parameter.numel();
  }
  EXPECT_EQ(declared, expected);
  EXPECT_EQ(parameters, 120126373);
}

TEST_F(SmallNetwork, EncodesEveryClassAndDecodesThemInOnePass)
{
  const auto embedding = model->encode(image, masks);
  ASSERT_EQ(embedding.stages.size(), 3u);
  EXPECT_EQ(embedding.stages[0].sizes(), (std::vector<int64_t>{1, 3, 11, 64}));
  EXPECT_EQ(embedding.stages[2].sizes(), (std::vector<int64_t>{1, 3, 11, 32}));
  const auto output = model->decode(image, embedding);
  EXPECT_EQ(output.logits.sizes(), (std::vector<int64_t>{1, 3, 32, 32, 16}));
  EXPECT_EQ(output.classifierWeights.sizes(), (std::vector<int64_t>{1, 3, 8}));
  const auto probabilities = model->decodeProbabilities(image, embedding);
  EXPECT_GE(probabilities.min().item<float>(), 0.0f);
  EXPECT_LE(probabilities.max().item<float>(), 1.0f);
  EXPECT_FALSE(probabilities.requires_grad());
}

TEST_F(SmallNetwork, EmbeddingsSerializeBitExactlyAndDecodeIdentically)
{
  const auto embedding = model->encode(image, masks);
  const auto bytes = embedding.serialize();
  EXPECT_EQ(bytes.size(), 8u + 4u + 3 * 4 * 8u + 3 * 11 * (64 + 32 + 32) * 4u);
  const auto reloaded = TaskEmbedding::deserialize(bytes);
  for (size_t stage = 0; stage < 3; ++stage)
  {
    EXPECT_TRUE(torch::equal(reloaded.stages[stage], embedding.stages[stage]));
  }
  EXPECT_TRUE(
      torch::equal(model->decodeLogits(image, reloaded), model->decodeLogits(image, embedding)));
  EXPECT_EQ(reloaded.serialize(), bytes);
}

TEST(TaskEmbeddingBlob, CorruptBlobsAreRejected)
{
  TaskEmbedding embedding{{torch::ones({1, 2, 11, 32})}};
  const auto bytes = embedding.serialize();
  EXPECT_NE(errorOf([&] { TaskEmbedding::deserialize("not an embedding"); }).find("magic"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { TaskEmbedding::deserialize(bytes.substr(0, bytes.size() - 1)); })
                .find("data bytes"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { TaskEmbedding::deserialize(bytes.substr(0, 14)); }).find("truncated"),
            std::string::npos);
}

TEST_F(SmallNetwork, ClassesCanBeSelectedConcatenatedAveragedAndCompared)
{
  const auto embedding = model->encode(image, masks);
  const auto reordered = TaskEmbedding::concatenateClasses(
      {embedding.selectClasses({2}), embedding.selectClasses({0, 1})});
  EXPECT_TRUE(torch::equal(reordered.stages[1][0][0], embedding.stages[1][0][2]));
  EXPECT_TRUE(torch::equal(reordered.stages[1][0][2], embedding.stages[1][0][1]));
  EXPECT_THROW(embedding.selectClasses({3}), std::out_of_range);

  const auto averaged = TaskEmbedding::mean({embedding, reordered});
  EXPECT_TRUE(torch::allclose(averaged.stages[0][0][0],
                              (embedding.stages[0][0][0] + embedding.stages[0][0][2]) / 2));

  const auto similarity = cosineSimilarity(embedding, reordered);
  EXPECT_EQ(similarity.sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_NEAR(similarity[0][1].item<float>(), 1.0f, 1e-5);
  EXPECT_NEAR(similarity[2][0].item<float>(), 1.0f, 1e-5);
  EXPECT_LT(similarity[0][0].item<float>(), 0.9999f);
}

TEST_F(SmallNetwork, QueryBatchSharesOneEmbeddingAndClassesInteract)
{
  const auto embedding = model->encode(image, masks);
  const auto second = torch::randn_like(image);
  const auto batched = model->decodeLogits(torch::cat({image, second}), embedding);
  EXPECT_TRUE(torch::allclose(batched[0], model->decodeLogits(image, embedding)[0], 1e-4, 1e-5));
  // Classes attend to each other in the fusion layers, so a class decoded alone differs.
  const auto alone = model->decodeLogits(image, embedding.selectClasses({0}));
  EXPECT_FALSE(torch::allclose(alone[0][0], batched[0][0], 1e-4, 1e-5));
}

TEST_F(SmallNetwork, MemoryBankRowsAreLookedUpByClass)
{
  const auto embedding = model->encode(image, masks);
  model->setMemoryBank({3, 1}, embedding.selectClasses({0, 2}));
  const auto bank = model->memoryBank({1, 3});
  EXPECT_TRUE(torch::equal(bank.stages[2][0][0], embedding.stages[2][0][2]));
  EXPECT_TRUE(torch::equal(bank.stages[2][0][1], embedding.stages[2][0][0]));
  EXPECT_THROW(model->memoryBank({4}), std::out_of_range);
  EXPECT_EQ(model->decodeLogits(image, bank).size(1), 2);
}

TEST_F(SmallNetwork, DecodeIsDifferentiableWithRespectToEmbeddingsOnly)
{
  auto embedding = model->encode(image, masks).detachedClone();
  for (auto& stage : embedding.stages)
  {
    stage.set_requires_grad(true);
  }
  model->decodeLogits(image, embedding).sigmoid().mean().backward();
  for (const auto& stage : embedding.stages)
  {
    ASSERT_TRUE(stage.grad().defined());
    EXPECT_GT(stage.grad().abs().sum().item<float>(), 0.0f);
  }
  for (const auto& parameter : model->network().parameters())
  {
    EXPECT_FALSE(parameter.grad().defined());
  }
}

TEST_F(SmallNetwork, EmptyMaskGivesAFiniteEmbedding)
{
  const auto embedding = model->encode(image, torch::zeros({1, 1, 32, 32, 16}));
  for (const auto& stage : embedding.stages)
  {
    EXPECT_TRUE(torch::isfinite(stage).all().item<bool>());
  }
}

TEST_F(SmallNetwork, BadInputsGetClearErrors)
{
  const auto embedding = model->encode(image, masks);
  EXPECT_NE(errorOf(
                [&] {
                  model->decode(torch::zeros({1, 1, 32, 32, 20}), embedding);
                })
                .find("multiple of 16"),
            std::string::npos);
  EXPECT_NE(errorOf(
                [&] {
                  model->decode(torch::zeros({1, 1, 48, 32, 16}), embedding);
                })
                .find("patch size 32"),
            std::string::npos);
  EXPECT_NE(errorOf(
                [&] {
                  model->decode(torch::zeros({32, 32, 16}), embedding);
                })
                .find("5-D"),
            std::string::npos);
  auto withNan = image.clone();
  withNan[0][0][3][3][3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(errorOf([&] { model->encode(withNan, masks); }).find("NaN"), std::string::npos);
  auto withInf = masks.clone();
  withInf[0][1][0][0][0] = std::numeric_limits<float>::infinity();
  EXPECT_NE(errorOf([&] { model->encode(image, withInf); }).find("infinite"), std::string::npos);
  EXPECT_NE(errorOf([&] { model->encode(image, masks.slice(2, 0, 16)); }).find("spatial size"),
            std::string::npos);
  EXPECT_THROW(model->encode(torch::zeros({1, 2, 32, 32, 16}), masks), InvalidNetworkInput);

  auto otherConfig = smallConfig();
  otherConfig.channels = {8, 16, 32, 64, 64};
  const IrisModel other(otherConfig);
  EXPECT_NE(errorOf([&] { other.decode(image, embedding); }).find("does not fit"),
            std::string::npos);
}

// The two-slab convolution (training on the CPU) must give LibTorch's own values and gradients,
// with and without bias, on a volume that takes the slab path and on one that does not.
TEST(VolumeConvolution, SlabsGiveTheSameValuesAndGradientsAsOneConvolution)
{
  torch::manual_seed(3);
  for (const auto& [channels, edge, bias] :
       std::vector<std::tuple<int64_t, int64_t, bool>>{{32, 24, false}, {8, 6, true}, {4, 3, true}})
  {
    auto conv = torch::nn::Conv3d(
        torch::nn::Conv3dOptions(channels, channels, 3).padding(1).bias(bias));
    const auto input = torch::randn({1, channels, edge, edge + 2, edge + 1});
    auto slabInput = input.clone().requires_grad_(true);
    auto plainInput = input.clone().requires_grad_(true);
    const auto slabs = modules::convolve(conv, slabInput);
    const auto weights = torch::randn_like(slabs);
    (slabs * weights).sum().backward();
    const auto slabWeightGrad = conv->weight.grad().clone();
    conv->zero_grad();
    const auto plain = conv->forward(plainInput);
    (plain * weights).sum().backward();
    ASSERT_EQ(slabs.sizes(), plain.sizes());
    // Sums of up to 10⁵ products in another order: compare against the largest magnitude.
    const auto relativeError = [](const torch::Tensor& a, const torch::Tensor& b)
    { return ((a - b).abs().max() / b.abs().max()).item<double>(); };
    EXPECT_LT(relativeError(slabs, plain), 1e-5) << channels << " x " << edge;
    EXPECT_LT(relativeError(slabInput.grad(), plainInput.grad()), 1e-5) << channels;
    EXPECT_LT(relativeError(slabWeightGrad, conv->weight.grad()), 1e-5) << channels;
  }
}

TEST(IrisConfigJson, RoundTripsAndRejectsUnsupportedValues)
{
  auto config = smallConfig();
  EXPECT_EQ(IrisConfig::fromJsonString(config.toJsonString()), config);
  EXPECT_EQ(IrisConfig::fromJsonString(R"({"channels":[8,16,32,32,64],"type":"iris"})").tn, 73);
  EXPECT_NE(
      errorOf([] { IrisConfig::fromJsonString(R"({"block":"Bottleneck"})"); }).find("Bottleneck"),
      std::string::npos);
  EXPECT_NE(errorOf([] { IrisConfig::fromJsonString(R"({"channels":[8,16,32,16,64]})"); })
                .find("multiple of 32"),
            std::string::npos);
  EXPECT_THROW(IrisConfig::fromJsonString(R"({"tn":"many"})"), InvalidIrisConfig);
  EXPECT_THROW(IrisConfig::fromJsonString("{"), InvalidIrisConfig);
}
} // namespace
} // namespace iris::inference
