#pragma once

// Torch-free evaluation through the product's own pipeline (Segmenter), so the numbers are
// what `iris segment` and the plugin give.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace iris::inference::training
{
struct EvaluationOptions
{
  std::filesystem::path model;
  std::filesystem::path manifest;
  std::string split = "val";         // query cases: val, train or all
  std::vector<std::string> datasets; // empty: every dataset that has `split` cases
  std::vector<std::string> strategies{"one-shot", "ensemble", "retrieval", "tuning", "memory-bank"};
  int references = 3;         // one-shot: this many random references, each scored on its own
  int ensembleReferences = 5; // ensemble and retrieval
  int tuningReferences = 3;
  int maxCases = 0; // per dataset, 0 = all
  int tuningCases = 5; // in-context tuning back-propagates per query (slow): first N cases
  uint64_t seed = 1;
  int threads = 2;
  std::string device = "cpu"; // cpu, cuda or auto, as `iris segment --device`
  // Voxel size (mm) the network works at; unset: the checkpoint's. Coarser makes large fields of
  // view (whole heads, CT) affordable on a CPU; Dice is still taken on each query's own grid.
  std::optional<double> spacingMm;
  double surfaceToleranceMm = 1.0; // surface Dice counts surface voxels this close to the other
  // Cross-case pairs "<reference id>@<query id>" (one-shot), classes matched by label name
  // (the part after `dataset:`), e.g. across datasets; pairClasses restricts the names.
  std::vector<std::string> pairs;
  std::vector<std::string> pairClasses;
  size_t maxPairClasses = 12;
};

struct DiceSample
{
  std::string query;     // case id
  std::string reference; // case id(s), "" for the memory bank
  std::string className;
  double dice = 0.0;
  double surfaceDice = 0.0; // at EvaluationOptions::surfaceToleranceMm
};

struct StrategyResult
{
  std::string dataset; // or "pair"
  std::string strategy;
  std::vector<DiceSample> samples;
  std::vector<double> seconds; // per segment call
};

struct EvaluationReport
{
  std::vector<StrategyResult> results;
  std::vector<std::string> notes;
  std::string toJson(const EvaluationOptions& options) const;
  std::string toMarkdown(const EvaluationOptions& options) const;
};

// Throws TrainingError (Manifest.h) for a missing manifest or model and for unknown pairs.
EvaluationReport evaluate(const EvaluationOptions& options,
                          const std::function<void(const std::string&)>& progress = {});

struct MeanSd
{
  double mean = 0.0;
  double sd = 0.0;
  size_t n = 0;
};
MeanSd meanSd(const std::vector<double>& values);
} // namespace iris::inference::training
