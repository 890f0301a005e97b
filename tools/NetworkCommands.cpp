#include "inference/Checkpoint.h"
#include "inference/ComputeDevice.h"
#include "inference/Parity.h"
#include "tools/CommandLine.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace iris::cli
{
namespace
{
constexpr int kUsageError = 2;
constexpr int kDefaultThreads = 2;

int importCheckpointCommand(const std::vector<std::string>& args, std::ostream& out,
                            std::ostream& err)
{
  const auto parsed = parseArgs(args, {"--config", "--patch-size", "--precision"});
  if (parsed.positional.size() != 2)
  {
    err << "Usage: iris import-checkpoint <in.pth> <out.pt> [--config <model.json>] "
           "[--patch-size N] [--precision float32|float16]\n";
    return kUsageError;
  }
  inference::ImportOptions options;
  if (const auto* configPath = parsed.option("--config"))
  {
    std::ifstream file(*configPath);
    if (!file)
    {
      throw std::invalid_argument("cannot read config " + *configPath);
    }
    std::stringstream text;
    text << file.rdbuf();
    options.config = inference::IrisConfig::fromJsonString(text.str());
  }
  if (const auto* patch = parsed.option("--patch-size"))
  {
    options.patchSize = parsePositiveCount(*patch, "--patch-size");
  }
  if (const auto* precision = parsed.option("--precision"))
  {
    if (*precision != "float32" && *precision != "float16")
    {
      throw std::invalid_argument("--precision: expected float32 or float16, got " + *precision);
    }
    options.precision = *precision == "float16" ? inference::WeightPrecision::Float16
                                                : inference::WeightPrecision::Float32;
  }
  const auto report =
      inference::importCheckpoint(parsed.positional[0], parsed.positional[1], options);
  out << "Imported " << report.tensorCount << " tensors (" << report.parameterCount
      << " parameters) from "
      << (report.weightsKey.empty() ? "a plain state_dict" : "\"" + report.weightsKey + "\"")
      << "\nConfig (" << report.configSource << "): " << report.config.toJsonString() << "\n";
  for (const auto& note : report.notes)
  {
    out << "Note: " << note << "\n";
  }
  out << "Wrote " << parsed.positional[1] << "\n";
  return 0;
}

int checkParityCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  const auto parsed = parseArgs(args, {"--tolerance", "--threads"});
  if (parsed.positional.size() != 1)
  {
    err << "Usage: iris check-parity <vectors.pt> [--tolerance 1e-4] [--threads 2]\n";
    return kUsageError;
  }
  double tolerance = 1e-4;
  if (const auto* text = parsed.option("--tolerance"))
  {
    tolerance = std::stod(*text);
  }
  const auto* threads = parsed.option("--threads");
  inference::selectComputeDevice("cpu", threads ? parsePositiveCount(*threads, "--threads")
                                                : kDefaultThreads);
  const auto report = inference::checkParity(parsed.positional[0], tolerance);
  out << "Config: " << report.config << "\n"
      << std::left << std::setw(34) << "output" << std::setw(14) << "max|diff|" << std::setw(14)
      << "max|ref|" << std::setw(14) << "relative"
      << "\n";
  for (const auto& line : report.lines)
  {
    out << std::setw(34) << line.output;
    if (!line.recomputed)
    {
      out << "not recomputed by this implementation  FAIL\n";
      continue;
    }
    out << std::setw(14) << line.maxAbsDiff << std::setw(14) << line.maxAbsRef << std::setw(14)
        << line.relative << (line.relative <= tolerance ? "ok" : "FAIL") << "\n";
  }
  const bool passed = report.passed();
  out << (passed ? "PASS" : "FAIL") << ": " << report.lines.size()
      << " outputs, largest relative error allowed " << tolerance << "\n";
  return passed ? 0 : 1;
}
} // namespace

std::vector<Command> networkCommands()
{
  return {
      {"import-checkpoint",
       "<in.pth> <out.pt> [--config <model.json>] [--patch-size N] [--precision float32|float16]",
       "Convert a released Iris training checkpoint or state_dict into an Iris checkpoint",
       importCheckpointCommand},
      {"check-parity", "<vectors.pt> [--tolerance 1e-4] [--threads 2]",
       "Recompute reference parity vectors and report the largest relative error per output",
       checkParityCommand},
  };
}
} // namespace iris::cli
