#pragma once

// Torch-free facade of the whole pipeline, for the plugin and the CLI.
#include "dicom/Volume.h"
#include "inference/SegmentationError.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iris::inference
{
enum class Strategy
{
  OneShot,   // the first reference's embedding
  Ensemble,  // mean of every reference's (and cached) embeddings
  Retrieval, // object-level retrieval over every reference, starting from the first
  Tuning,    // in-context tuning of the ensemble embedding on the labelled references
  MemoryBank // memory-bank rows, no reference image
};

// "one-shot", "ensemble", "retrieval", "tuning", "memory-bank"; throws SegmentationError.
Strategy parseStrategy(const std::string& name);
std::string strategyName(Strategy strategy);

struct SegmenterOptions
{
  std::filesystem::path model; // our checkpoint (iris import-checkpoint)
  std::string device = "auto"; // auto, cpu or cuda
  int gpuIndex = 0;            // which CUDA device, when the device is CUDA
  int threads = 2;             // CPU intra-op threads
  // Model voxel size (mm); unset: the spacing stored in the checkpoint (1.5 when it has none).
  std::optional<double> spacingMm;
  bool bodyCrop = true;
  bool largestComponent = true; // keep each label's largest 6-connected component
  double threshold = 0.5;
  int tuningSteps = 20;
  double tuningLearningRate = 1e-2;
  size_t retrievalTopK = 1;
};

// A labelled reference. The labels must share the image's voxel grid.
struct ReferenceExample
{
  const dicom::ImageVolume* image = nullptr;
  const dicom::LabelVolume* labels = nullptr;
  std::vector<uint16_t> classValues; // label values, in output class order
  std::string modality = "auto";     // CT, MR, PT/PET, or auto
};

struct SegmentRequest
{
  Strategy strategy = Strategy::OneShot;
  std::vector<ReferenceExample> references;
  // Cached embeddings (encodeReference bytes) of the same classes, used like references by
  // one-shot (when no reference is given), ensemble and retrieval (as pool entries).
  std::vector<std::string> embeddings;
  std::vector<int64_t> memoryBankRows; // MemoryBank: one row per output class
  // Voxel size (mm) for this request, query and references alike; unset: the Segmenter's. A
  // coarser one trades detail for speed on large fields of view (fewer sliding windows).
  std::optional<double> spacingMm;
};

struct StageTiming
{
  std::string stage;
  double seconds = 0.0;
};

struct SegmentResult
{
  dicom::LabelVolume labels; // on the query's grid; value k+1 = class k of the request
  std::string embeddings;    // the embeddings used (tuned ones for Tuning), serialised
  std::vector<StageTiming> timings;
  std::vector<std::string> warnings; // e.g. NaN voxels replaced
};

class Segmenter
{
public:
  // Loads the checkpoint once and selects the device. Throws CheckpointError or
  // SegmentationError.
  explicit Segmenter(const SegmenterOptions& options);
  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  std::string device() const;     // "cpu" or "cuda"
  std::string deviceNote() const; // why this device
  int patchSize() const;
  int64_t memoryBankSize() const;
  // Memory-bank row names from the checkpoint (`<dataset>:<label>`, "" = unnamed), one per row.
  std::vector<std::string> memoryBankClasses() const;
  // The memory-bank row named `name`, or a row number given as text; throws SegmentationError
  // naming the known classes otherwise.
  int64_t memoryBankRow(const std::string& nameOrRow) const;
  // The rows' embeddings (TaskEmbedding::serialize bytes, classes in `rows` order), so that they
  // can join embeddings from elsewhere (imported memory-bank classes) in one request.
  std::string memoryBankEmbeddings(const std::vector<int64_t>& rows) const;
  // The voxel spacing (mm) this Segmenter resamples to.
  double spacingMm() const;

  // Task embeddings of the reference's classes (in classValues order), serialised bit-exactly
  // for caching; `seconds` receives the time taken when non-null.
  // `spacingMm` as in SegmentRequest: embeddings only serve requests of the same spacing.
  std::string encodeReference(const ReferenceExample& reference, double* seconds = nullptr,
                              std::optional<double> spacingMm = std::nullopt);

  // Segments `query` (modality: CT, MR, PT/PET or auto) into the request's K classes.
  SegmentResult segment(const dicom::ImageVolume& query, const std::string& modality,
                        const SegmentRequest& request);

private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};
} // namespace iris::inference
