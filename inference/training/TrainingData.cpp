#include "inference/training/TrainingData.h"

#include "dicom/Nifti.h"
#include "inference/Preprocess.h"
#include "inference/Resample.h"
#include "inference/training/Augment.h"
#include "inference/training/SyntheticTasks.h"

#include <algorithm>
#include <set>

namespace iris::inference::training
{
namespace
{
template <typename T> const T& pick(const std::vector<T>& items, std::mt19937_64& rng)
{
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

// A box of `edge` voxels per dim that holds as much of `foreground` as it can: a random
// position unless `centred`.
Box queryBox(const Box& foreground, int64_t edge, bool centred)
{
  Box box;
  for (int dim = 0; dim < 3; ++dim)
  {
    const int64_t low = foreground.begin[dim], high = foreground.end[dim];
    int64_t first = std::min(low, high - edge), last = std::max(low, high - edge);
    int64_t start = (first + last) / 2;
    if (!centred && last > first)
    {
      start = first + torch::randint(0, last - first + 1, {1}).item<int64_t>();
    }
    box.begin[dim] = start;
    box.end[dim] = box.begin[dim] + edge;
  }
  return box;
}

// Whether each class of a [1,K,E,E,E] CPU mask stack has a voxel.
std::vector<bool> classesPresent(const torch::Tensor& masks)
{
  const auto present = masks[0].flatten(1).amax(1).gt(0).contiguous();
  const auto* flags = present.data_ptr<bool>();
  return std::vector<bool>(flags, flags + present.numel());
}
} // namespace

CachedCase loadCase(const ManifestCase& item, double spacingMm)
{
  CachedCase cached;
  cached.source = item;
  dicom::ImageVolume image;
  dicom::LabelVolume labels;
  try
  {
    image = dicom::readNiftiImage(item.image);
  }
  catch (const std::exception& error)
  {
    throw TrainingError("Cannot read the image " + item.image.string() + ": " + error.what());
  }
  try
  {
    labels = dicom::readNiftiLabels(item.label);
  }
  catch (const std::exception& error)
  {
    throw TrainingError("Cannot read the label " + item.label.string() + ": " + error.what());
  }
  const auto& spacing = image.geometry.spacing;
  if (!labels.geometry.sameGrid(image.geometry,
                                0.05 * std::min({spacing[0], spacing[1], spacing[2]})))
  {
    const auto& a = labels.geometry.size;
    const auto& b = image.geometry.size;
    throw TrainingError("The label " + item.label.string() + " (" + std::to_string(a[0]) + "x" +
                        std::to_string(a[1]) + "x" + std::to_string(a[2]) +
                        ") does not share the voxel grid of its image " + item.image.string() +
                        " (" + std::to_string(b[0]) + "x" + std::to_string(b[1]) + "x" +
                        std::to_string(b[2]) + ")");
  }
  auto source = imageToTensor(image);
  replaceNonFinite(source);
  cached.modality = intensityModality(item.modality, source);
  auto grid = planModelGrid(image.geometry, spacingMm);
  auto resampled = toModelGrid(source, grid, Interpolation::Linear);
  auto label = toModelGrid(labelsToTensor(labels), grid, Interpolation::Nearest).to(torch::kInt32);
  const Box body = bodyBox(resampled, cached.modality);
  cached.raw = extractBox(resampled, body).contiguous();
  cached.labels = extractBox(label, body).contiguous();
  cached.normalised = normaliseIntensity(cached.raw, cached.modality);
  for (const auto value : item.usableValues())
  {
    const auto box = foregroundBox(cached.labels == static_cast<int32_t>(value));
    if (box.size()[0] > 0)
    {
      cached.boxes[value] = box;
    }
  }
  if (cached.boxes.empty())
  {
    throw TrainingError("The label " + item.label.string() +
                        " has no voxel of any named class at " + std::to_string(spacingMm) +
                        " mm (empty or all classes too small)");
  }
  return cached;
}

TrainingData::TrainingData(const TrainingOptions& options, std::vector<std::string>& notes)
    : options_(options)
{
  const auto manifest = Manifest::read(options.manifest);
  const auto selected = manifest.select(options.datasets, "train");
  for (const auto& item : selected)
  {
    try
    {
      cases_.push_back(loadCase(item, options.spacingMm));
    }
    catch (const TrainingError& error)
    {
      notes.push_back(std::string("skipped: ") + error.what());
    }
  }
  std::set<std::string> names;
  for (size_t index = 0; index < cases_.size(); ++index)
  {
    for (const auto& [value, box] : cases_[index].boxes)
    {
      const auto name = cases_[index].source.className(value);
      names.insert(name);
      classCases_[name].push_back({index, value});
    }
  }
  classNames_.assign(names.begin(), names.end());
  if (static_cast<int>(classNames_.size()) > options.model.tn)
  {
    throw TrainingError(std::to_string(classNames_.size()) +
                        " training classes do not fit a memory bank of tn = " +
                        std::to_string(options.model.tn) + " rows; raise model.tn");
  }
  for (const auto& name : classNames_)
  {
    datasetClasses_[name.substr(0, name.find(':'))].push_back(name);
  }
  for (const auto& [dataset, classes] : datasetClasses_)
  {
    datasets_.push_back(dataset);
    const auto weight = options.datasetWeights.find(dataset);
    datasetWeights_.push_back(weight != options.datasetWeights.end() ? weight->second : -1.0);
  }
  // Datasets without their own weight share otherWeight.
  const auto unweighted = std::count(datasetWeights_.begin(), datasetWeights_.end(), -1.0);
  for (auto& weight : datasetWeights_)
  {
    if (weight < 0.0)
    {
      weight = options.otherWeight / static_cast<double>(unweighted);
    }
  }
  if (cases_.empty() && options.syntheticRatio < 1.0)
  {
    throw TrainingError("No usable training case in " + options.manifest.string() +
                        " for the datasets given (use --synthetic-ratio 1 for synthetic only)");
  }
}

Episode TrainingData::sample(std::mt19937_64& rng) const
{
  Episode episode;
  if (datasets_.empty() ||
      std::uniform_real_distribution<double>(0.0, 1.0)(rng) < options_.syntheticRatio)
  {
    episode = sampleSynthetic();
  }
  else
  {
    std::discrete_distribution<size_t> datasetDraw(datasetWeights_.begin(), datasetWeights_.end());
    episode = sampleReal(rng, datasets_[datasetDraw(rng)]);
  }
  episode.referenceHasClass = classesPresent(episode.referenceMasks);
  return episode;
}

Episode TrainingData::sampleSynthetic() const
{
  const int64_t edge = options_.cropEdge();
  auto task = makeSyntheticTask(edge, options_.maxClasses);
  Episode episode{
      task.reference.image, task.reference.masks, task.query.image, task.query.masks, {},
      "synthetic"};
  episode.bankRows.assign(static_cast<size_t>(task.query.masks.size(1)), -1);
  augmentInPlace(episode.referenceImage, episode.referenceMasks, AugmentOptions{});
  augmentInPlace(episode.queryImage, episode.queryMasks, queryAugmentOptions());
  return episode;
}

Episode TrainingData::sampleReal(std::mt19937_64& rng, const std::string& dataset) const
{
  const int64_t edge = options_.cropEdge();
  const auto& anchor = pick(datasetClasses_.at(dataset), rng);
  const auto& holders = classCases_.at(anchor);
  const auto referencePick = pick(holders, rng);
  auto queryPick = referencePick;
  if (holders.size() > 1) // a different case whenever the class has more than one
  {
    while (queryPick.caseIndex == referencePick.caseIndex)
    {
      queryPick = pick(holders, rng);
    }
  }
  const auto& reference = cases_[referencePick.caseIndex];
  const auto& query = cases_[queryPick.caseIndex];

  // Class dropping: K in 1..maxClasses, the anchor plus others both cases hold.
  std::vector<std::pair<uint16_t, uint16_t>> classes{{referencePick.value, queryPick.value}};
  std::vector<std::pair<uint16_t, uint16_t>> shared;
  for (const auto& [value, box] : reference.boxes)
  {
    const auto name = reference.source.className(value);
    if (name == anchor)
    {
      continue;
    }
    for (const auto& [queryValue, queryBox] : query.boxes)
    {
      if (query.source.className(queryValue) == name)
      {
        shared.emplace_back(value, queryValue);
      }
    }
  }
  std::shuffle(shared.begin(), shared.end(), rng);
  const auto k = std::uniform_int_distribution<int>(1, std::max(1, options_.maxClasses))(rng);
  for (size_t n = 0; n < shared.size() && static_cast<int>(classes.size()) < k; ++n)
  {
    classes.push_back(shared[n]);
  }

  std::vector<torch::Tensor> referenceMasks;
  for (const auto& [value, queryValue] : classes)
  {
    referenceMasks.push_back((reference.labels == static_cast<int32_t>(value)).to(torch::kFloat32));
  }
  auto crops =
      cropAroundForeground(reference.raw, referenceMasks, reference.modality, {edge, edge, edge});
  const auto& crop = crops.front(); // classes that do not fit with the first are dropped
  Episode episode;
  episode.dataset = dataset;
  episode.referenceImage = crop.image;
  episode.referenceMasks = crop.masks;
  std::vector<torch::Tensor> queryMasks;
  for (const auto index : crop.classes)
  {
    const auto queryValue = classes[index].second;
    episode.bankRows.push_back(std::lower_bound(classNames_.begin(), classNames_.end(),
                                                query.source.className(queryValue)) -
                               classNames_.begin());
    queryMasks.push_back((query.labels == static_cast<int32_t>(queryValue)).to(torch::kFloat32));
  }
  const bool centred =
      std::uniform_real_distribution<double>(0.0, 1.0)(rng) < options_.centredQueryProbability;
  const auto masks = torch::stack(queryMasks);
  const auto box = queryBox(foregroundBox(masks.amax(0)), edge, centred);
  episode.queryImage = extractBox(query.normalised, box).view({1, 1, edge, edge, edge});
  episode.queryMasks = extractBox(masks, box).unsqueeze(0);
  augmentInPlace(episode.referenceImage, episode.referenceMasks, AugmentOptions{});
  augmentInPlace(episode.queryImage, episode.queryMasks, queryAugmentOptions());
  return episode;
}
} // namespace iris::inference::training
