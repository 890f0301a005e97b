#include "inference/training/Evaluation.h"
#include "inference/training/Manifest.h"
#include "inference/training/TrainingOptions.h"
#include "tools/CommandLine.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace iris::cli
{
namespace
{
namespace training = inference::training;

std::string readText(const std::string& path)
{
  std::ifstream file(path);
  if (!file)
  {
    throw training::TrainingError("Cannot open the training config " + path);
  }
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string clock(double seconds)
{
  const auto total = static_cast<long>(seconds + 0.5);
  std::ostringstream text;
  text << total / 3600 << ":" << std::setw(2) << std::setfill('0') << (total / 60) % 60 << ":"
       << std::setw(2) << std::setfill('0') << total % 60;
  return text.str();
}

training::TrainingOptions parseTrainArgs(const std::vector<std::string>& args)
{
  training::TrainingOptions options;
  std::map<std::string, std::string> values;
  const std::vector<std::string> known{
      "--manifest", "--out",     "--steps",           "--config",
      "--seed",     "--threads", "--synthetic-ratio", "--checkpoint-every",
      "--spacing",  "--crop",    "--datasets",        "--log-every",
      "--stop-at",  "--device"};
  for (size_t i = 0; i < args.size(); ++i)
  {
    if (args[i] == "--resume")
    {
      options.resume = true;
      continue;
    }
    if (std::find(known.begin(), known.end(), args[i]) == known.end())
    {
      throw std::invalid_argument("unknown argument " + args[i]);
    }
    if (i + 1 >= args.size())
    {
      throw std::invalid_argument(args[i] + " needs a value");
    }
    values[args[i]] = args[i + 1];
    ++i;
  }
  if (!values.count("--manifest") || !values.count("--out"))
  {
    throw std::invalid_argument("train needs --manifest and --out");
  }
  // The config file first, so that explicit options override it.
  if (values.count("--config"))
  {
    options.applyJson(readText(values["--config"]));
  }
  options.manifest = values["--manifest"];
  options.outDir = values["--out"];
  for (const auto& [flag, value] : values)
  {
    if (flag == "--steps")
      options.steps = parsePositiveCount(value, flag);
    else if (flag == "--seed")
      options.seed = static_cast<uint64_t>(std::stoull(value));
    else if (flag == "--threads")
      options.threads = parsePositiveCount(value, flag);
    else if (flag == "--checkpoint-every")
      options.checkpointEvery = parsePositiveCount(value, flag);
    else if (flag == "--device")
      options.device = value;
    else if (flag == "--stop-at")
      options.stopAt = parsePositiveCount(value, flag);
    else if (flag == "--log-every")
      options.logEvery = parsePositiveCount(value, flag);
    else if (flag == "--spacing")
      options.spacingMm = parsePositiveNumber(value, flag);
    else if (flag == "--crop")
      options.crop = parsePositiveCount(value, flag);
    else if (flag == "--datasets")
      options.datasets = training::splitList(value);
    else if (flag == "--synthetic-ratio")
    {
      options.syntheticRatio = std::stod(value);
      if (!(options.syntheticRatio >= 0.0 && options.syntheticRatio <= 1.0))
      {
        throw std::invalid_argument("--synthetic-ratio must lie in [0, 1], got " + value);
      }
    }
  }
  return options;
}

int runTrain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  training::TrainingOptions options;
  try
  {
    options = parseTrainArgs(args);
  }
  catch (const std::exception& error)
  {
    err << "iris train: " << error.what() << "\n";
    return 2;
  }
  try
  {
    out << "training " << options.steps << " steps into " << options.outDir.string() << "\n"
        << options.toJsonString() << "\n"
        << std::flush;
    const auto summary =
        training::train(options,
                        [&out](const training::TrainingProgress& line)
                        {
                          out << "step " << line.step << "/" << line.steps << "  " << std::fixed
                              << std::setprecision(3) << line.stepsPerSecond << " steps/s  loss "
                              << std::setprecision(4) << line.loss << "  lr " << std::scientific
                              << std::setprecision(2) << line.learningRate << std::defaultfloat
                              << "  ETA " << clock(line.etaSeconds) << std::endl;
                        });
    for (const auto& note : summary.notes)
    {
      out << "note: " << note << "\n";
    }
    out << "trained steps " << summary.startStep << ".." << summary.steps << " in "
        << clock(summary.seconds) << "; loss " << summary.firstLoss << " -> " << summary.lastLoss
        << "; " << summary.memoryBankClasses.size() << " memory-bank classes\n"
        << "model: " << summary.model.string() << "\n";
    return 0;
  }
  catch (const std::exception& error)
  {
    err << "iris train: " << error.what() << "\n";
    return 1;
  }
}
int runEval(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  training::EvaluationOptions options;
  std::string jsonPath, markdownPath;
  try
  {
    for (size_t i = 0; i < args.size(); ++i)
    {
      const auto& flag = args[i];
      if (i + 1 >= args.size())
      {
        throw std::invalid_argument(flag + " needs a value");
      }
      const auto& value = args[++i];
      if (flag == "--model")
        options.model = value;
      else if (flag == "--manifest")
        options.manifest = value;
      else if (flag == "--split")
        options.split = value;
      else if (flag == "--datasets")
        options.datasets = training::splitList(value);
      else if (flag == "--strategy")
        options.strategies = value == "all" ? options.strategies : training::splitList(value);
      else if (flag == "--references")
        options.references = parsePositiveCount(value, flag);
      else if (flag == "--ensemble-references")
        options.ensembleReferences = parsePositiveCount(value, flag);
      else if (flag == "--tuning-references")
        options.tuningReferences = parsePositiveCount(value, flag);
      else if (flag == "--tuning-cases")
        options.tuningCases = parsePositiveCount(value, flag);
      else if (flag == "--cases")
        options.maxCases = parsePositiveCount(value, flag);
      else if (flag == "--seed")
        options.seed = static_cast<uint64_t>(std::stoull(value));
      else if (flag == "--threads")
        options.threads = parsePositiveCount(value, flag);
      else if (flag == "--device")
        options.device = value;
      else if (flag == "--spacing")
        options.spacingMm = parsePositiveNumber(value, flag);
      else if (flag == "--surface-tolerance")
        options.surfaceToleranceMm = parsePositiveNumber(value, flag);
      else if (flag == "--pair")
        options.pairs.push_back(value);
      else if (flag == "--pair-classes")
        options.pairClasses = training::splitList(value);
      else if (flag == "--json")
        jsonPath = value;
      else if (flag == "--markdown")
        markdownPath = value;
      else
        throw std::invalid_argument("unknown argument " + flag);
    }
    if (options.model.empty() || options.manifest.empty() || jsonPath.empty())
    {
      throw std::invalid_argument("eval needs --model, --manifest and --json");
    }
    if (options.split != "val" && options.split != "train" && options.split != "all")
    {
      throw std::invalid_argument("--split must be val, train or all, got " + options.split);
    }
  }
  catch (const std::exception& error)
  {
    err << "iris eval: " << error.what() << "\n";
    return 2;
  }
  try
  {
    const auto report =
        training::evaluate(options, [&out](const std::string& line) { out << line << std::endl; });
    std::ofstream json(jsonPath);
    if (!(json << report.toJson(options)))
    {
      throw training::TrainingError("Cannot write " + jsonPath);
    }
    const auto table = report.toMarkdown(options);
    if (!markdownPath.empty())
    {
      std::ofstream markdown(markdownPath);
      if (!(markdown << table))
      {
        throw training::TrainingError("Cannot write " + markdownPath);
      }
    }
    out << table;
    return 0;
  }
  catch (const std::exception& error)
  {
    err << "iris eval: " << error.what() << "\n";
    return 1;
  }
}
} // namespace

std::vector<Command> trainingCommands()
{
  return {{"train",
           "--manifest <manifest.json> --out <dir> [--steps N] [--config <json>] [--seed S] "
           "[--resume] [--synthetic-ratio r] [--threads n] [--checkpoint-every N] "
           "[--log-every N] [--stop-at N] [--device cpu|cuda|auto] [--spacing mm] [--crop edge] "
           "[--datasets a,b]",
           "Train an Iris model episodically on a manifest's train split (EMA weights + memory "
           "bank)",
           runTrain},
          {"eval",
           "--model <ckpt> --manifest <manifest.json> --json <out.json> [--markdown <out.md>] "
           "[--split val|train|all] [--datasets a,b] [--strategy all|one-shot,ensemble,...] "
           "[--references N] [--ensemble-references N] [--tuning-references N] [--cases N] "
           "[--tuning-cases N] "
           "[--seed S] [--threads n] [--device cpu|cuda|auto] [--spacing mm] "
           "[--surface-tolerance mm] [--pair <ref id>@<query id> ...] [--pair-classes a,b]",
           "Dice and surface Dice of a model through the segmentation pipeline, per dataset, "
           "strategy and class",
           runEval}};
}
} // namespace iris::cli
