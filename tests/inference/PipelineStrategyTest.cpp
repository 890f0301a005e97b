// Strategies, the Segmenter facade, bad input and the `iris segment` CLI, with a tiny network
// (parity config, patch 32, random weights): behaviour, not segmentation quality.
#include "dicom/Nifti.h"
#include "dicom/SeriesReader.h"
#include "inference/Segmenter.h"
#include "inference/Strategies.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"
#include "tools/CommandLine.h"

#include <cmath>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

namespace iris::inference
{
namespace
{
// The parity config (../shared/parity/README.md), positional embeddings sized to a 32³ patch.
IrisConfig tinyConfig()
{
  return IrisConfig::fromJsonString(R"({"in_ch": 1, "channels": [8, 16, 32, 32, 64],
      "num_block": [2, 1, 1, 1], "tn": 4, "num_prior_stage": 3, "patch_size": 32})");
}

// One checkpoint and its model for the whole suite; built once.
class TinyModel : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    torch::manual_seed(7);
    directory = new test::TempDir();
    model = new IrisModel(tinyConfig());
    model->save(checkpoint());
  }
  static void TearDownTestSuite()
  {
    delete model;
    delete directory;
  }
  static std::filesystem::path checkpoint() { return *directory / "tiny.pt"; }
  static SegmenterOptions options()
  {
    SegmenterOptions options;
    options.model = checkpoint();
    options.device = "cpu";
    options.threads = 1;
    options.tuningSteps = 4;
    return options;
  }
  static std::filesystem::path data(const std::string& path)
  {
    return test::sharedDataDir() / path;
  }

  static inline test::TempDir* directory = nullptr;
  static inline IrisModel* model = nullptr;
};

struct Case
{
  dicom::ImageVolume image;
  dicom::LabelVolume labels;
};

Case hippocampus(const std::string& id)
{
  const auto data = test::sharedDataDir() / "msd_hippocampus";
  return {dicom::readNiftiImage(data / "images" / (id + ".nii.gz")),
          dicom::readNiftiLabels(data / "labels" / (id + ".nii.gz"))};
}

std::vector<PreparedReference> crops(const Case& c)
{
  PreprocessOptions options;
  options.patch = {32, 32, 32};
  return prepareReference(c.image, c.labels, {1, 2}, "MR", options);
}

TEST_F(TinyModel, EncodeAndPredictHaveTheDocumentedShapes)
{
  const auto reference = crops(hippocampus("hippocampus_001"));
  const auto embedding = encodeCrops(*model, reference, 2);
  ASSERT_EQ(embedding.stages.size(), 3u);
  EXPECT_EQ(embedding.stages[0].sizes().vec(), (std::vector<int64_t>{1, 2, 11, 64}));
  EXPECT_EQ(embedding.stages[2].sizes().vec(), (std::vector<int64_t>{1, 2, 11, 32}));

  PreprocessOptions options;
  options.patch = {32, 32, 32};
  const auto query = prepareQuery(hippocampus("hippocampus_003").image, "MR", options);
  c10::InferenceMode inference;
  const auto probabilities = predictQuery(*model, query, embedding);
  EXPECT_EQ(probabilities.size(0), 2);
  EXPECT_EQ(probabilities.sizes().slice(1), query.image.sizes());
  EXPECT_GE(probabilities.min().item<float>(), 0.0f);
  EXPECT_LE(probabilities.max().item<float>(), 1.0f);
}

TEST_F(TinyModel, EnsembleOfIdenticalReferencesIsOneShot)
{
  const auto c = hippocampus("hippocampus_001");
  const auto query = hippocampus("hippocampus_003");
  Segmenter segmenter(options());
  const ReferenceExample reference{&c.image, &c.labels, {1, 2}, "MR"};
  SegmentRequest oneShot;
  oneShot.references = {reference};
  SegmentRequest ensemble = oneShot;
  ensemble.strategy = Strategy::Ensemble;
  // (a + a) / 2 == a exactly in floating point, so two copies must reproduce one-shot bit for bit.
  ensemble.references = {reference, reference};
  const auto a = segmenter.segment(query.image, "MR", oneShot);
  const auto b = segmenter.segment(query.image, "MR", ensemble);
  EXPECT_TRUE(a.embeddings == b.embeddings); // bytes: not printed on failure
  EXPECT_EQ(a.labels.voxels, b.labels.voxels);
  EXPECT_TRUE(a.labels.geometry.sameGrid(query.image.geometry));

  const auto single = TaskEmbedding::deserialize(a.embeddings);
  const auto three = ensembleEmbedding({single, single, single});
  for (size_t stage = 0; stage < single.stages.size(); ++stage)
    EXPECT_TRUE(torch::allclose(three.stages[stage], single.stages[stage], 1e-6, 1e-7));
}

TEST_F(TinyModel, CachedEmbeddingBytesSegmentLikeTheReference)
{
  const auto c = hippocampus("hippocampus_001");
  const auto query = hippocampus("hippocampus_004");
  Segmenter segmenter(options());
  const ReferenceExample reference{&c.image, &c.labels, {2, 1}, "MR"};
  const auto bytes = segmenter.encodeReference(reference);
  SegmentRequest fromImage, fromBytes;
  fromImage.references = {reference};
  fromBytes.embeddings = {bytes};
  EXPECT_EQ(segmenter.segment(query.image, "MR", fromImage).labels.voxels,
            segmenter.segment(query.image, "MR", fromBytes).labels.voxels);
  EXPECT_EQ(TaskEmbedding::deserialize(bytes).classCount(), 2);
}

TEST_F(TinyModel, RetrievalPicksTheMostSimilarPoolEntry)
{
  const auto probe = encodeCrops(*model, crops(hippocampus("hippocampus_001")), 2);
  TaskEmbedding unrelated = probe.detachedClone();
  for (auto& stage : unrelated.stages)
  {
    stage = torch::randn_like(stage);
  }
  TaskEmbedding near = probe.detachedClone();
  for (auto& stage : near.stages)
  {
    stage = stage + 0.01 * torch::randn_like(stage);
  }
  const auto retrieval = retrieveMostSimilar(probe, {unrelated, near, unrelated}, 1);
  ASSERT_EQ(retrieval.chosen.size(), 2u);
  EXPECT_EQ(retrieval.chosen[0], (std::vector<size_t>{1}));
  EXPECT_EQ(retrieval.chosen[1], (std::vector<size_t>{1}));
  EXPECT_TRUE(torch::equal(retrieval.embedding.stages[0], near.stages[0]));
  const auto two = retrieveMostSimilar(probe, {unrelated, near, probe}, 2);
  EXPECT_EQ(two.chosen[0], (std::vector<size_t>{2, 1}));
}

TEST_F(TinyModel, RetrievalStrategyRunsEndToEnd)
{
  const auto a = hippocampus("hippocampus_001");
  const auto b = hippocampus("hippocampus_006");
  const auto query = hippocampus("hippocampus_003");
  Segmenter segmenter(options());
  SegmentRequest request;
  request.strategy = Strategy::Retrieval;
  request.references = {{&a.image, &a.labels, {1, 2}, "MR"}, {&b.image, &b.labels, {1, 2}, "MR"}};
  const auto result = segmenter.segment(query.image, "MR", request);
  std::set<std::string> stages;
  for (const auto& timing : result.timings)
    stages.insert(timing.stage);
  EXPECT_TRUE(stages.count("initial segmentation") && stages.count("retrieval"));
  EXPECT_LE(*std::max_element(result.labels.voxels.begin(), result.labels.voxels.end()), 2);
}

TEST_F(TinyModel, TuningLowersTheReferenceLoss)
{
  const std::vector<std::vector<PreparedReference>> references{
      crops(hippocampus("hippocampus_001"))};
  const auto initial = encodeCrops(*model, references.front(), 2);
  TuningOptions tuning;
  tuning.steps = 6;
  tuning.learningRate = 5e-2;
  const auto result = tuneEmbedding(*model, initial, references, tuning);
  ASSERT_EQ(result.losses.size(), 7u);
  EXPECT_LT(result.losses.back(), result.losses.front());
  EXPECT_FALSE(result.embedding.stages[0].requires_grad());
  EXPECT_FALSE(torch::equal(result.embedding.stages[0], initial.stages[0]));
  // The network itself is untouched.
  for (const auto& [name, tensor] : model->namedTensors())
    EXPECT_FALSE(tensor.requires_grad()) << name;
}

TEST_F(TinyModel, TuningStrategyReturnsTheTunedEmbedding)
{
  const auto c = hippocampus("hippocampus_001");
  Segmenter segmenter(options());
  SegmentRequest request;
  request.strategy = Strategy::Tuning;
  request.references = {{&c.image, &c.labels, {1, 2}, "MR"}};
  const auto tuned = segmenter.segment(c.image, "MR", request);
  EXPECT_NE(tuned.embeddings, segmenter.encodeReference(request.references.front()));
  EXPECT_EQ(TaskEmbedding::deserialize(tuned.embeddings).classCount(), 2);
}

TEST_F(TinyModel, MemoryBankNeedsNoReference)
{
  const auto query = hippocampus("hippocampus_003");
  Segmenter segmenter(options());
  SegmentRequest request;
  request.strategy = Strategy::MemoryBank;
  request.memoryBankRows = {0, 2};
  const auto result = segmenter.segment(query.image, "MR", request);
  EXPECT_TRUE(result.labels.geometry.sameGrid(query.image.geometry));
  EXPECT_EQ(TaskEmbedding::deserialize(result.embeddings).classCount(), 2);
  request.memoryBankRows = {9};
  EXPECT_ANY_THROW(segmenter.segment(query.image, "MR", request));
}

TEST_F(TinyModel, EmptyReferenceLabelIsAClearError)
{
  auto c = hippocampus("hippocampus_001");
  std::fill(c.labels.voxels.begin(), c.labels.voxels.end(), 0);
  Segmenter segmenter(options());
  SegmentRequest request;
  request.references = {{&c.image, &c.labels, {1}, "MR"}};
  try
  {
    segmenter.segment(c.image, "MR", request);
    FAIL() << "expected SegmentationError";
  }
  catch (const SegmentationError& error)
  {
    EXPECT_NE(std::string(error.what()).find("no voxel of class 1"), std::string::npos);
  }
}

TEST_F(TinyModel, TinyAndNonFiniteQueriesAreHandled)
{
  const auto c = hippocampus("hippocampus_001");
  Segmenter segmenter(options());
  SegmentRequest request;
  request.references = {{&c.image, &c.labels, {1, 2}, "MR"}};

  dicom::ImageVolume tiny;
  tiny.geometry.size = {5, 4, 3};
  tiny.geometry.spacing = {2.0, 2.0, 2.0};
  tiny.voxels.assign(60, 100.0f);
  tiny.voxels[7] = NAN;
  tiny.voxels[8] = INFINITY;
  const auto result = segmenter.segment(tiny, "MR", request);
  EXPECT_EQ(result.labels.voxels.size(), 60u);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("2 NaN/inf"), std::string::npos);

  std::fill(tiny.voxels.begin(), tiny.voxels.end(), NAN);
  EXPECT_THROW(segmenter.segment(tiny, "MR", request), SegmentationError);
}

TEST_F(TinyModel, StrategyNamesRoundTrip)
{
  for (const auto* name : {"one-shot", "ensemble", "retrieval", "tuning", "memory-bank"})
    EXPECT_EQ(strategyName(parseStrategy(name)), name);
  EXPECT_THROW(parseStrategy("best"), SegmentationError);
}

int runIris(const std::vector<std::string>& args, std::string& output)
{
  std::ostringstream out, err;
  const int code = cli::runCommandLine(args, out, err);
  output = out.str() + err.str();
  return code;
}

TEST_F(TinyModel, CliSegmentsWithReferencesAndWithTheMemoryBank)
{
  const std::string image = data("msd_hippocampus/images/hippocampus_001.nii.gz").string();
  const std::string label = data("msd_hippocampus/labels/hippocampus_001.nii.gz").string();
  const std::string query = data("msd_hippocampus/images/hippocampus_003.nii.gz").string();
  const auto out = (*directory / "out.nii.gz").string();
  std::string output;
  ASSERT_EQ(runIris({"segment",
                     "--model",
                     checkpoint().string(),
                     "--query",
                     query,
                     "-o",
                     out,
                     "--reference",
                     image + ":" + label,
                     "--reference",
                     image + ":" + label,
                     "--classes",
                     "2,1",
                     "--strategy",
                     "ensemble",
                     "--device",
                     "cpu",
                     "--threads",
                     "1",
                     "--save-embeddings",
                     (*directory / "e.bin").string()},
                    output),
            0)
      << output;
  EXPECT_NE(output.find("decode query"), std::string::npos) << output;
  EXPECT_NE(output.find("encode references"), std::string::npos) << output;
  const auto labels = dicom::readNiftiLabels(out);
  EXPECT_TRUE(labels.geometry.sameGrid(dicom::readNiftiGeometry(query), 1e-3));
  EXPECT_LE(*std::max_element(labels.voxels.begin(), labels.voxels.end()), 2);

  ASSERT_EQ(runIris({"segment", "--model", checkpoint().string(), "--query", query, "-o", out,
                     "--embedding", (*directory / "e.bin").string()},
                    output),
            0)
      << output;
  ASSERT_EQ(runIris({"segment", "--model", checkpoint().string(), "--query", query, "-o", out,
                     "--memory-bank", "1", "--memory-bank", "3"},
                    output),
            0)
      << output;
  EXPECT_NE(output.find("memory-bank"), std::string::npos) << output;

  // A DICOM series as the query: the output lies on the series' grid.
  const auto series = data("udacity_hippocampus_testvolumes/Study3/11_HCropVolume");
  ASSERT_EQ(runIris({"segment", "--model", checkpoint().string(), "--query", series.string(), "-o",
                     out, "--reference", image + ":" + label},
                    output),
            0)
      << output;
  EXPECT_TRUE(dicom::readNiftiLabels(out).geometry.sameGrid(
      dicom::readSeriesFolder(series).image.geometry, 1e-3));
}

TEST_F(TinyModel, CliRejectsBadArguments)
{
  const std::string image = data("msd_hippocampus/images/hippocampus_001.nii.gz").string();
  const auto out = (*directory / "bad.nii.gz").string();
  std::string output;
  EXPECT_EQ(
      runIris({"segment", "--model", checkpoint().string(), "--query", image, "-o", out}, output),
      2);
  EXPECT_NE(output.find("--reference"), std::string::npos);
  EXPECT_NE(runIris({"segment", "--model", checkpoint().string(), "--query", image, "-o", out,
                     "--reference", image + ":" + image, "--strategy", "best"},
                    output),
            0);
  EXPECT_NE(runIris({"segment", "--model", (*directory / "missing.pt").string(), "--query", image,
                     "-o", out, "--memory-bank", "0"},
                    output),
            0);
  EXPECT_FALSE(std::filesystem::exists(out));
}
} // namespace
} // namespace iris::inference
