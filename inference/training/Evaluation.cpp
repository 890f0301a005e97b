#include "inference/training/Evaluation.h"

#include "dicom/Nifti.h"
#include "inference/Segmenter.h"
#include "inference/training/Manifest.h"
#include "inference/training/SurfaceDice.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

namespace iris::inference::training
{
namespace
{
struct LoadedCase
{
  ManifestCase meta;
  dicom::ImageVolume image;
  dicom::LabelVolume labels;
  std::map<std::string, uint16_t> valueOf; // label name (without dataset) -> value
};

class CaseCache
{
public:
  const LoadedCase& get(const ManifestCase& item)
  {
    auto& slot = cases_[item.id];
    if (!slot)
    {
      slot = std::make_unique<LoadedCase>();
      slot->meta = item;
      try
      {
        slot->image = dicom::readNiftiImage(item.image);
        slot->labels = dicom::readNiftiLabels(item.label);
      }
      catch (const std::exception& error)
      {
        throw TrainingError("Cannot read case " + item.id + " (" + item.image.string() + ", " +
                            item.label.string() + "): " + error.what());
      }
      if (slot->labels.geometry.size != slot->image.geometry.size)
      {
        throw TrainingError("The label " + item.label.string() +
                            " does not have the voxel counts of its image " + item.image.string());
      }
      std::set<uint16_t> present(slot->labels.voxels.begin(), slot->labels.voxels.end());
      for (const auto value : item.usableValues())
      {
        if (present.count(value))
        {
          slot->valueOf[item.labels.at(value)] = value;
        }
      }
    }
    return *slot;
  }

private:
  std::map<std::string, std::unique_ptr<LoadedCase>> cases_;
};

double dice(const dicom::LabelVolume& truth, uint16_t truthValue,
            const dicom::LabelVolume& predicted, uint16_t predictedValue)
{
  size_t a = 0, b = 0, both = 0;
  for (size_t n = 0; n < truth.voxels.size(); ++n)
  {
    const bool inTruth = truth.voxels[n] == truthValue;
    const bool inPrediction = predicted.voxels[n] == predictedValue;
    a += inTruth;
    b += inPrediction;
    both += inTruth && inPrediction;
  }
  return a + b == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(a + b);
}

class Evaluator
{
public:
  Evaluator(const EvaluationOptions& options, const std::function<void(const std::string&)>& log)
      : options_(options), log_(log), manifest_(Manifest::read(options.manifest)),
        segmenter_(makeSegmenterOptions(options))
  {
  }

  EvaluationReport run()
  {
    std::vector<std::string> datasets = options_.datasets;
    if (datasets.empty())
    {
      std::set<std::string> found;
      for (const auto& item : manifest_.select({}, options_.split))
      {
        if (options_.split == "train" || !item.split.empty())
        {
          found.insert(item.dataset);
        }
      }
      datasets.assign(found.begin(), found.end());
    }
    for (const auto& dataset : datasets)
    {
      evaluateDataset(dataset);
    }
    for (const auto& pair : options_.pairs)
    {
      evaluatePair(pair);
    }
    return std::move(report_);
  }

private:
  static SegmenterOptions makeSegmenterOptions(const EvaluationOptions& options)
  {
    if (!std::filesystem::is_regular_file(options.model))
    {
      throw TrainingError("The model " + options.model.string() + " does not exist");
    }
    SegmenterOptions segmenter;
    segmenter.model = options.model;
    segmenter.device = options.device;
    segmenter.threads = options.threads;
    segmenter.spacingMm = options.spacingMm;
    return segmenter;
  }

  StrategyResult& result(const std::string& dataset, const std::string& strategy)
  {
    for (auto& existing : report_.results)
    {
      if (existing.dataset == dataset && existing.strategy == strategy)
      {
        return existing;
      }
    }
    report_.results.push_back({dataset, strategy, {}, {}});
    return report_.results.back();
  }

  // Segments `query` with `strategy` and records one Dice per class name.
  void score(const std::string& dataset, const std::string& strategy, const LoadedCase& query,
             const std::vector<std::string>& names,
             const std::vector<const LoadedCase*>& references)
  {
    SegmentRequest request;
    request.strategy = parseStrategy(strategy);
    std::string referenceIds;
    for (const auto* reference : references)
    {
      ReferenceExample example{&reference->image, &reference->labels, {}, reference->meta.modality};
      for (const auto& name : names)
      {
        example.classValues.push_back(reference->valueOf.at(name));
      }
      request.references.push_back(example);
      referenceIds += (referenceIds.empty() ? "" : "+") + reference->meta.id;
    }
    if (request.strategy == Strategy::MemoryBank)
    {
      for (const auto& name : names)
      {
        request.memoryBankRows.push_back(segmenter_.memoryBankRow(query.meta.dataset + ":" + name));
      }
    }
    const auto start = std::chrono::steady_clock::now();
    const auto segmented = segmenter_.segment(query.image, query.meta.modality, request);
    auto& entry = result(dataset, strategy);
    entry.seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    for (size_t k = 0; k < names.size(); ++k)
    {
      const auto truthValue = query.valueOf.at(names[k]);
      const auto predictedValue = static_cast<uint16_t>(k + 1);
      entry.samples.push_back(
          {query.meta.id, referenceIds, names[k],
           dice(query.labels, truthValue, segmented.labels, predictedValue),
           surfaceDice(query.labels, truthValue, segmented.labels, predictedValue,
                       options_.surfaceToleranceMm)});
    }
  }

  void evaluateDataset(const std::string& dataset)
  {
    auto queries = manifest_.select({dataset}, options_.split);
    // References come from the train split; an unsplit dataset lends its other cases.
    auto pool = manifest_.select({dataset}, "train");
    // One shuffled order per dataset: every query sees the same references where it can, so
    // the spread across references is the spread the choice of reference causes.
    std::mt19937_64 rng(options_.seed);
    std::shuffle(pool.begin(), pool.end(), rng);
    if (options_.maxCases > 0 && queries.size() > static_cast<size_t>(options_.maxCases))
    {
      queries.resize(static_cast<size_t>(options_.maxCases));
    }
    const auto bankNames = segmenter_.memoryBankClasses();
    for (size_t caseIndex = 0; caseIndex < queries.size(); ++caseIndex)
    {
      const auto& item = queries[caseIndex];
      const auto& query = cache_.get(item);
      std::vector<std::string> names;
      for (const auto& [name, value] : query.valueOf)
      {
        names.push_back(name);
      }
      std::vector<const LoadedCase*> references;
      const size_t wanted = static_cast<size_t>(
          std::max({options_.references, options_.ensembleReferences, options_.tuningReferences}));
      for (const auto& candidate : pool)
      {
        if (candidate.id == item.id || references.size() >= wanted)
        {
          continue;
        }
        const auto& reference = cache_.get(candidate);
        if (std::all_of(names.begin(), names.end(),
                        [&](const std::string& name) { return reference.valueOf.count(name); }))
        {
          references.push_back(&reference);
        }
      }
      if (names.empty() || references.empty())
      {
        report_.notes.push_back(item.id + ": no reference holds all of its classes; skipped");
        continue;
      }
      const auto first = [&](int count)
      {
        return std::vector<const LoadedCase*>(
            references.begin(),
            references.begin() + std::min<size_t>(references.size(), static_cast<size_t>(count)));
      };
      for (const auto& strategy : options_.strategies)
      {
        if (strategy == "one-shot")
        {
          for (const auto* reference : first(options_.references))
          {
            score(dataset, strategy, query, names, {reference});
          }
        }
        else if (strategy == "ensemble" || strategy == "retrieval")
        {
          score(dataset, strategy, query, names, first(options_.ensembleReferences));
        }
        else if (strategy == "tuning")
        {
          if (caseIndex >= static_cast<size_t>(options_.tuningCases))
          {
            continue;
          }
          score(dataset, strategy, query, names, first(options_.tuningReferences));
        }
        else if (strategy == "memory-bank")
        {
          const bool named =
              std::all_of(names.begin(), names.end(),
                          [&](const std::string& name) {
                            return std::find(bankNames.begin(), bankNames.end(),
                                             dataset + ":" + name) != bankNames.end();
                          });
          if (named)
          {
            score(dataset, strategy, query, names, {});
          }
          else if (item.id == queries.front().id)
          {
            report_.notes.push_back(dataset + ": the memory bank names none or only some of its "
                                              "classes; memory-bank not evaluated");
          }
        }
        else
        {
          throw TrainingError("Unknown strategy \"" + strategy + "\"");
        }
      }
      if (log_)
      {
        log_(dataset + " " + item.id + " done");
      }
    }
  }

  const ManifestCase& findCase(const std::string& id) const
  {
    for (const auto& item : manifest_.cases)
    {
      if (item.id == id)
      {
        if (!item.isNifti())
        {
          throw TrainingError("Case " + id + " is not a NIfTI image + label pair");
        }
        return item;
      }
    }
    throw TrainingError("No case " + id + " in " + options_.manifest.string());
  }

  void evaluatePair(const std::string& pair)
  {
    const auto at = pair.find('@');
    if (at == std::string::npos)
    {
      throw TrainingError("A pair is <reference id>@<query id>, got \"" + pair + "\"");
    }
    const auto& reference = cache_.get(findCase(pair.substr(0, at)));
    const auto& query = cache_.get(findCase(pair.substr(at + 1)));
    std::vector<std::string> names;
    for (const auto& [name, value] : query.valueOf)
    {
      const bool wanted = options_.pairClasses.empty() ||
                          std::find(options_.pairClasses.begin(), options_.pairClasses.end(),
                                    name) != options_.pairClasses.end();
      if (wanted && reference.valueOf.count(name) && names.size() < options_.maxPairClasses)
      {
        names.push_back(name);
      }
    }
    if (names.empty())
    {
      report_.notes.push_back(pair + ": no shared class name; skipped");
      return;
    }
    score(reference.meta.dataset + " -> " + query.meta.dataset, "one-shot", query, names,
          {&reference});
    if (log_)
    {
      log_("pair " + pair + " done");
    }
  }

  EvaluationOptions options_;
  std::function<void(const std::string&)> log_;
  Manifest manifest_;
  Segmenter segmenter_;
  CaseCache cache_;
  EvaluationReport report_;
};

using Metric = double DiceSample::*; // &DiceSample::dice or &DiceSample::surfaceDice

std::map<std::string, std::vector<double>> byClass(const StrategyResult& result, Metric metric)
{
  std::map<std::string, std::vector<double>> classes;
  for (const auto& sample : result.samples)
  {
    classes[sample.className].push_back(sample.*metric);
  }
  return classes;
}

std::vector<double> allSamples(const StrategyResult& result, Metric metric)
{
  std::vector<double> values;
  for (const auto& sample : result.samples)
  {
    values.push_back(sample.*metric);
  }
  return values;
}

double median(std::vector<double> values)
{
  if (values.empty())
  {
    return 0.0;
  }
  std::sort(values.begin(), values.end());
  const auto middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

// One-shot: the mean Dice of each reference (over its queries and classes), so that the spread
// says how much the choice of reference matters.
std::vector<double> perReferenceMeans(const StrategyResult& result)
{
  std::map<std::string, std::vector<double>> groups;
  for (const auto& sample : result.samples)
  {
    groups[sample.reference].push_back(sample.dice);
  }
  std::vector<double> means;
  for (const auto& [reference, values] : groups)
  {
    means.push_back(meanSd(values).mean);
  }
  return means;
}

std::string fixed(double value, int digits = 3)
{
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(digits);
  text << value;
  return text.str();
}
} // namespace

MeanSd meanSd(const std::vector<double>& values)
{
  MeanSd stats;
  stats.n = values.size();
  if (values.empty())
  {
    return stats;
  }
  for (const auto value : values)
  {
    stats.mean += value;
  }
  stats.mean /= static_cast<double>(values.size());
  for (const auto value : values)
  {
    stats.sd += (value - stats.mean) * (value - stats.mean);
  }
  stats.sd = values.size() > 1 ? std::sqrt(stats.sd / static_cast<double>(values.size() - 1)) : 0.0;
  return stats;
}

EvaluationReport evaluate(const EvaluationOptions& options,
                          const std::function<void(const std::string&)>& progress)
{
  if (!std::filesystem::is_regular_file(options.manifest))
  {
    throw TrainingError("The manifest " + options.manifest.string() + " does not exist");
  }
  return Evaluator(options, progress).run();
}

std::string EvaluationReport::toJson(const EvaluationOptions& options) const
{
  nlohmann::json json;
  json["model"] = options.model.string();
  json["manifest"] = options.manifest.string();
  json["split"] = options.split;
  json["seed"] = options.seed;
  json["references"] = options.references;
  json["ensemble_references"] = options.ensembleReferences;
  json["tuning_references"] = options.tuningReferences;
  json["surface_tolerance_mm"] = options.surfaceToleranceMm;
  json["spacing_mm"] = options.spacingMm ? nlohmann::json(*options.spacingMm) : nlohmann::json();
  json["results"] = nlohmann::json::array();
  for (const auto& result : results)
  {
    const auto overall = meanSd(allSamples(result, &DiceSample::dice));
    const auto surface = meanSd(allSamples(result, &DiceSample::surfaceDice));
    nlohmann::json entry{{"dataset", result.dataset},
                         {"strategy", result.strategy},
                         {"dice_mean", overall.mean},
                         {"dice_sd", overall.sd},
                         {"surface_dice_mean", surface.mean},
                         {"surface_dice_sd", surface.sd},
                         {"n", overall.n},
                         {"median_seconds", median(result.seconds)}};
    if (result.strategy == "one-shot")
    {
      const auto references = meanSd(perReferenceMeans(result));
      entry["per_reference_mean"] = references.mean;
      entry["per_reference_sd"] = references.sd;
      entry["reference_count"] = references.n;
    }
    const auto surfaceByClass = byClass(result, &DiceSample::surfaceDice);
    for (const auto& [name, values] : byClass(result, &DiceSample::dice))
    {
      const auto stats = meanSd(values);
      entry["per_class"][name] = {{"dice_mean", stats.mean},
                                  {"dice_sd", stats.sd},
                                  {"surface_dice_mean", meanSd(surfaceByClass.at(name)).mean},
                                  {"n", stats.n}};
    }
    for (const auto& sample : result.samples)
    {
      entry["samples"].push_back({{"query", sample.query},
                                  {"reference", sample.reference},
                                  {"class", sample.className},
                                  {"dice", sample.dice},
                                  {"surface_dice", sample.surfaceDice}});
    }
    json["results"].push_back(entry);
  }
  json["notes"] = notes;
  return json.dump(1);
}

std::string EvaluationReport::toMarkdown(const EvaluationOptions& options) const
{
  std::ostringstream text;
  text << "| Dataset | Strategy | Dice mean ± sd | n | per class (mean) | surface Dice at "
       << fixed(options.surfaceToleranceMm, 1) << " mm, mean ± sd | median s/segment |\n"
       << "|---|---|---|---|---|---|---|\n";
  for (const auto& result : results)
  {
    const auto overall = meanSd(allSamples(result, &DiceSample::dice));
    const auto surface = meanSd(allSamples(result, &DiceSample::surfaceDice));
    std::string classes;
    for (const auto& [name, values] : byClass(result, &DiceSample::dice))
    {
      classes += (classes.empty() ? "" : "; ") + name + " " + fixed(meanSd(values).mean);
    }
    std::string spread = fixed(overall.mean) + " ± " + fixed(overall.sd);
    if (result.strategy == "one-shot")
    {
      const auto references = meanSd(perReferenceMeans(result));
      spread += " (across " + std::to_string(references.n) +
                " references: " + fixed(references.mean) + " ± " + fixed(references.sd) + ")";
    }
    text << "| " << result.dataset << " | " << result.strategy << " | " << spread << " | "
         << overall.n << " | " << classes << " | " << fixed(surface.mean) << " ± "
         << fixed(surface.sd) << " | " << fixed(median(result.seconds), 2) << " |\n";
  }
  for (const auto& note : notes)
  {
    text << "\n- " << note;
  }
  text << "\n";
  return text.str();
}
} // namespace iris::inference::training
