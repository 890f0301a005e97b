// iris train / iris eval end to end on a few real hippocampus cases with a tiny network.
#include "dicom/Nifti.h"
#include "inference/Checkpoint.h"
#include "inference/IrisModel.h"
#include "inference/Segmenter.h"
#include "inference/training/Evaluation.h"
#include "inference/training/Manifest.h"
#include "inference/training/TrainingOptions.h"
#include "tests/support/SharedData.h"
#include "tests/support/TempDir.h"
#include "tools/CommandLine.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

namespace iris::test
{
namespace
{
namespace fs = std::filesystem;
namespace training = inference::training;

const char* const kTinyConfig =
    R"({"model": {"channels": [4, 8, 32, 32, 32], "patch_size": 32, "num_query_tokens": 2,
        "tn": 8}, "learning_rate": 0.003})";

// A manifest of a few shared hippocampus cases (absolute paths), split as the real one.
fs::path writeManifest(const TempDir& dir, size_t trainCases, size_t valCases)
{
  const auto shared = training::Manifest::read(sharedDataDir() / "manifest.json");
  nlohmann::json entries = nlohmann::json::array();
  size_t train = 0, val = 0;
  for (const auto& item : shared.cases)
  {
    if (item.dataset != "msd_hippocampus")
    {
      continue;
    }
    auto& count = item.split == "train" ? train : val;
    if (count >= (item.split == "train" ? trainCases : valCases))
    {
      continue;
    }
    ++count;
    nlohmann::json labels;
    for (const auto& [value, name] : item.labels)
    {
      labels[std::to_string(value)] = name;
    }
    entries.push_back({{"id", item.id},
                       {"dataset", item.dataset},
                       {"modality", item.modality},
                       {"image", item.image.string()},
                       {"label", item.label.string()},
                       {"image_format", "nifti"},
                       {"label_format", "nifti"},
                       {"labels", labels},
                       {"split", item.split}});
  }
  const auto path = dir / "manifest.json";
  std::ofstream(path) << nlohmann::json{{"entries", entries}}.dump(1);
  return path;
}

int iris(const std::vector<std::string>& args, std::string* output = nullptr)
{
  std::ostringstream out, err;
  const int code = cli::runCommandLine(args, out, err);
  if (output)
  {
    *output = out.str() + err.str();
  }
  return code;
}

std::string fileBytes(const fs::path& path)
{
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), {}};
}

std::vector<std::string> trainArgs(const fs::path& manifest, const fs::path& config,
                                   const fs::path& out)
{
  return {"train",
          "--manifest",
          manifest.string(),
          "--out",
          out.string(),
          "--steps",
          "20",
          "--config",
          config.string(),
          "--crop",
          "32",
          "--threads",
          "1",
          "--synthetic-ratio",
          "0.2",
          "--log-every",
          "5",
          "--checkpoint-every",
          "5",
          "--datasets",
          "msd_hippocampus",
          "--device",
          "cpu"};
}
// Stopped after 10 steps, then resumed into dir/split: the same bytes as dir/whole, the
// uninterrupted run. state/model.pt holds the trained weights (and a trained bank's rows); the
// optimisers' files key tensors by address, so they differ between processes.
void expectResumedRunMatches(const fs::path& manifest, const fs::path& config, const TempDir& dir)
{
  auto first = trainArgs(manifest, config, dir / "split");
  auto resumed = first;
  first.insert(first.end(), {"--stop-at", "10"});
  resumed.push_back("--resume");
  std::string log;
  ASSERT_EQ(iris(first, &log), 0) << log;
  ASSERT_EQ(iris(resumed, &log), 0) << log;
  EXPECT_TRUE(fileBytes(dir / "whole/model.pt") == fileBytes(dir / "split/model.pt"));
  EXPECT_TRUE(fileBytes(dir / "whole/state/model.pt") == fileBytes(dir / "split/state/model.pt"));
}
} // namespace

TEST(TrainingRun, LossFallsAndAnInterruptedRunResumesBitIdentically)
{
  TempDir dir;
  const auto manifest = writeManifest(dir, 4, 0);
  const auto config = dir / "tiny.json";
  std::ofstream(config) << kTinyConfig;
  std::string log;
  ASSERT_EQ(iris(trainArgs(manifest, config, dir / "whole"), &log), 0) << log;
  EXPECT_NE(log.find("note: device: cpu (CPU requested)"), std::string::npos) << log;

  // The loss of the last 5 steps is below the first 5's.
  std::vector<double> losses;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);)
  {
    const auto at = line.find(" loss ");
    if (line.rfind("step ", 0) == 0 && at != std::string::npos)
    {
      losses.push_back(std::stod(line.substr(at + 6)));
    }
  }
  ASSERT_EQ(losses.size(), 4u) << log;
  EXPECT_LT(losses.back(), losses.front()) << log;

  expectResumedRunMatches(manifest, config, dir);

  // The shipped file is a normal checkpoint: spacing and memory-bank names included.
  inference::SegmenterOptions options;
  options.model = dir / "whole/model.pt";
  inference::Segmenter segmenter(options);
  EXPECT_DOUBLE_EQ(segmenter.spacingMm(), 1.0);
  const auto names = segmenter.memoryBankClasses();
  ASSERT_EQ(names.size(), 8u);
  EXPECT_EQ(names[0], "msd_hippocampus:hippocampus anterior");
  EXPECT_EQ(names[1], "msd_hippocampus:hippocampus posterior");
  EXPECT_EQ(names[2], "");
  EXPECT_EQ(segmenter.memoryBankRow("msd_hippocampus:hippocampus posterior"), 1);
  EXPECT_EQ(segmenter.memoryBankRow("3"), 3);
  EXPECT_THROW(segmenter.memoryBankRow("msd_hippocampus:nothing"), inference::SegmentationError);
}

TEST(TrainingRun, TrainedMemoryBankMovesSeenRowsAndResumesBitIdentically)
{
  TempDir dir;
  const auto manifest = writeManifest(dir, 4, 0);
  const auto emaConfig = dir / "ema.json";
  std::ofstream(emaConfig) << kTinyConfig;
  auto trained = nlohmann::json::parse(kTinyConfig);
  trained["bank_episode_probability"] = 0.5;
  trained["bank_alignment_weight"] = 0.5;
  const auto config = dir / "trained.json";
  std::ofstream(config) << trained.dump();
  std::string log;
  ASSERT_EQ(iris(trainArgs(manifest, config, dir / "whole"), &log), 0) << log;
  ASSERT_EQ(iris(trainArgs(manifest, emaConfig, dir / "ema"), &log), 0) << log;
  expectResumedRunMatches(manifest, config, dir);
  EXPECT_TRUE(fs::exists(dir / "split/state/bank-optimizer.pt"));
  EXPECT_FALSE(fs::exists(dir / "ema/state/bank-optimizer.pt"));

  // Rows 0 and 1 are the two hippocampus classes. The trained rows (state/model.pt) moved
  // under the loss, so the shipped rows, their weight EMA, trail them instead of equalling
  // them; the never-seen rows stay as initialised, as with the EMA bank.
  const auto rows = [](const fs::path& checkpoint, std::vector<int64_t> indices)
  { return inference::IrisModel::load(checkpoint).memoryBank(indices).stages.front(); };
  const auto moving = rows(dir / "whole/state/model.pt", {0, 1});
  const auto shipped = rows(dir / "whole/model.pt", {0, 1});
  EXPECT_TRUE(torch::isfinite(shipped).all().item<bool>());
  EXPECT_GT((moving - shipped).abs().max().item<double>(), 1e-4);
  EXPECT_TRUE(
      torch::equal(rows(dir / "whole/model.pt", {5, 6, 7}), rows(dir / "ema/model.pt", {5, 6, 7})));
  EXPECT_FALSE(torch::equal(shipped, rows(dir / "ema/model.pt", {0, 1})));
}

namespace
{
// A training config with `key` set to `value` is refused by a message that names the key.
void expectConfigRefused(const std::string& key, const nlohmann::json& value)
{
  TempDir dir;
  const auto manifest = writeManifest(dir, 2, 0);
  auto bad = nlohmann::json::parse(kTinyConfig);
  bad[key] = value;
  const auto config = dir / "bad.json";
  std::ofstream(config) << bad.dump();
  std::string log;
  EXPECT_NE(iris(trainArgs(manifest, config, dir / "run"), &log), 0) << key;
  EXPECT_NE(log.find(key), std::string::npos) << log;
}
} // namespace

TEST(TrainingBadInput, TrainedBankOptionsAreChecked)
{
  expectConfigRefused("bank_episode_probability", 1.5);
}

TEST(TrainingBadInput, ClassSeparationOptionsAreChecked)
{
  expectConfigRefused("class_separation_margin", 0.0);
  expectConfigRefused("class_separation_weight", -1.0);
}

TEST(TrainingRun, EvalOnTwoCasesWritesSaneJson)
{
  TempDir dir;
  const auto manifest = writeManifest(dir, 3, 2);
  const auto config = dir / "tiny.json";
  std::ofstream(config) << kTinyConfig;
  std::string log;
  ASSERT_EQ(iris({"train", "--manifest", manifest.string(), "--out", (dir / "run").string(),
                  "--steps", "3", "--config", config.string(), "--crop", "32", "--threads", "1",
                  "--datasets", "msd_hippocampus"},
                 &log),
            0)
      << log;
  const auto json = dir / "eval.json";
  ASSERT_EQ(
      iris({"eval", "--model", (dir / "run/model.pt").string(), "--manifest", manifest.string(),
            "--split", "val", "--strategy", "one-shot,ensemble,memory-bank", "--references", "2",
            "--ensemble-references", "2", "--threads", "1", "--spacing", "1.5",
            "--surface-tolerance", "2", "--json", json.string(), "--markdown",
            (dir / "eval.md").string()},
           &log),
      0)
      << log;
  nlohmann::json report;
  std::ifstream(json) >> report;
  ASSERT_EQ(report["results"].size(), 3u) << report.dump(1);
  EXPECT_EQ(report["spacing_mm"].get<double>(), 1.5);
  EXPECT_EQ(report["surface_tolerance_mm"].get<double>(), 2.0);
  for (const auto& result : report["results"])
  {
    const auto strategy = result["strategy"].get<std::string>();
    // 2 val cases x 2 classes, one-shot once per reference.
    EXPECT_EQ(result["n"].get<int>(), strategy == "one-shot" ? 8 : 4) << strategy;
    EXPECT_GE(result["dice_mean"].get<double>(), 0.0);
    EXPECT_LE(result["dice_mean"].get<double>(), 1.0);
    EXPECT_EQ(result["per_class"].size(), 2u);
    for (const auto& sample : result["samples"])
    {
      EXPECT_NE(sample["query"].get<std::string>().find("msd_hippocampus/"), std::string::npos);
      const auto surface = sample["surface_dice"].get<double>();
      EXPECT_TRUE(surface >= 0.0 && surface <= 1.0) << sample.dump();
    }
  }
  const auto table = fileBytes(dir / "eval.md");
  EXPECT_NE(table.find("| msd_hippocampus | one-shot |"), std::string::npos) << table;
  EXPECT_NE(table.find("surface Dice at 2.0 mm"), std::string::npos) << table;
}

TEST(TrainingBadInput, UnknownDeviceIsNamed)
{
  TempDir dir;
  const auto manifest = writeManifest(dir, 2, 0);
  const auto config = dir / "tiny.json";
  std::ofstream(config) << kTinyConfig;
  auto args = trainArgs(manifest, config, dir / "run");
  args.back() = "tpu";
  std::string log;
  EXPECT_NE(iris(args, &log), 0) << log;
  EXPECT_NE(log.find("Unknown compute device \"tpu\""), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(dir / "run/model.pt"));
}

TEST(TrainingBadInput, MissingManifestIsNamed)
{
  TempDir dir;
  std::string log;
  EXPECT_EQ(iris({"train", "--manifest", (dir / "absent.json").string(), "--out",
                  (dir / "out").string(), "--steps", "1"},
                 &log),
            1);
  EXPECT_NE(log.find("absent.json"), std::string::npos) << log;
  EXPECT_EQ(iris({"eval", "--model", (dir / "m.pt").string(), "--manifest",
                  (dir / "absent.json").string(), "--json", (dir / "e.json").string()},
                 &log),
            1);
  EXPECT_NE(log.find("absent.json"), std::string::npos) << log;
}

TEST(TrainingBadInput, CorruptCheckpointIsNamed)
{
  TempDir dir;
  const auto model = dir / "corrupt.pt";
  std::ofstream(model) << "this is not a torch checkpoint";
  std::string log;
  EXPECT_EQ(
      iris({"eval", "--model", model.string(), "--manifest",
            (sharedDataDir() / "manifest.json").string(), "--json", (dir / "e.json").string()},
           &log),
      1);
  EXPECT_NE(log.find("corrupt.pt"), std::string::npos) << log;

  // A resume from a state whose files are damaged names the file too.
  fs::create_directories(dir / "run/state");
  std::ofstream(dir / "run/state/trainer.json") << "{ broken";
  const auto manifest = writeManifest(dir, 2, 0);
  EXPECT_EQ(iris({"train", "--manifest", manifest.string(), "--out", (dir / "run").string(),
                  "--steps", "2", "--resume", "--datasets", "msd_hippocampus"},
                 &log),
            1);
  EXPECT_NE(log.find("trainer.json"), std::string::npos) << log;
}
} // namespace iris::test
