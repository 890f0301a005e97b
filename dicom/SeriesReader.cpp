#include "dicom/SeriesReader.h"

#include "dicom/DicomError.h"
#include "dicom/DicomInput.h"
#include "dicom/DicomPixels.h"
#include "dicom/SeriesGeometry.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <thread>

namespace iris::dicom
{
namespace
{
// One input instance, however the caller holds it.
struct InstanceSource
{
  std::string name;
  std::function<std::unique_ptr<DcmFileFormat>()> open;
  InstanceBytesProvider bytes;
};

void requireUnderCap(size_t columns, size_t rows, size_t slices, const VolumeSizeCap& cap,
                     const std::string& what)
{
  if (columns > cap.columns || rows > cap.rows || slices > cap.slices)
  {
    throw VolumeTooLargeError(what + " is " + std::to_string(columns) + "x" + std::to_string(rows) +
                              "x" + std::to_string(slices) +
                              " (columns x rows x slices), over the cap of " +
                              std::to_string(cap.columns) + "x" + std::to_string(cap.rows) + "x" +
                              std::to_string(cap.slices));
  }
  if (columns * rows * slices > cap.voxels)
  {
    throw VolumeTooLargeError(what + " has " + std::to_string(columns * rows * slices) +
                              " voxels (" + std::to_string(columns) + "x" + std::to_string(rows) +
                              "x" + std::to_string(slices) + "), over the cap of " +
                              std::to_string(cap.voxels) + " voxels");
  }
}

// MONOCHROME1 shows low values bright; mirroring within the stored range makes it read like
// MONOCHROME2 (bright = high), which is what models and thresholds expect.
double monochrome1Mirror(const PixelLayout& layout)
{
  const double levels = std::ldexp(1.0, static_cast<int>(layout.bitsStored));
  return layout.isSigned ? -1.0 : levels - 1.0; // min + max of the stored range
}

// Runs body(0 .. count-1) on up to `workers` threads. After all stop, rethrows the error of
// the lowest index, so the reported error does not depend on scheduling.
void parallelFor(size_t count, size_t workers, const std::function<void(size_t)>& body)
{
  std::vector<std::exception_ptr> failures(count);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  const auto work = [&]
  {
    for (size_t index = next++; index < count && !failed; index = next++)
    {
      try
      {
        body(index);
      }
      catch (...)
      {
        failures[index] = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t worker = 1; worker < std::min(workers, count); ++worker)
  {
    pool.emplace_back(work);
  }
  work();
  for (auto& thread : pool)
  {
    thread.join();
  }
  for (const auto& failure : failures)
  {
    if (failure)
    {
      std::rethrow_exception(failure);
    }
  }
}

class SeriesAssembler
{
public:
  SeriesAssembler(std::vector<InstanceSource> sources, const SeriesReadOptions& options)
      : sources_(std::move(sources)), options_(options)
  {
  }

  SeriesVolume assemble()
  {
    readHeaders();
    requireOneSeriesOfOneSize();
    const auto& first = headers_.front().layout;
    requireUnderCap(first.columns, first.rows, slices_.size(), options_.cap, "The series");
    const SliceStack stack = planSliceStack(slices_, names_, first.columns, first.rows, options_);
    result_.image.geometry = stack.geometry;
    std::vector<size_t> slot(slices_.size());
    for (size_t k = 0; k < stack.order.size(); ++k)
    {
      slot[stack.order[k]] = k;
      result_.slices.push_back(slices_[stack.order[k]].source);
    }
    fillVoxels(slot);
    return std::move(result_);
  }

private:
  void readHeaders()
  {
    if (sources_.empty())
    {
      throw InconsistentSeriesError(SeriesProblem::NoImages, "no instances were given");
    }
    files_.resize(sources_.size());
    headers_.resize(sources_.size());
    parallelFor(sources_.size(), workerCount(),
                [this](size_t index)
                {
                  files_[index] = sources_[index].open();
                  headers_[index] = readInstanceHeader(*files_[index], sources_[index].name, index,
                                                       options_.frameDecoder);
                  const PixelLayout& layout = headers_[index].layout;
                  requireUnderCap(layout.columns, layout.rows, layout.frames, options_.cap,
                                  sources_[index].name);
                });
    for (size_t index = 0; index < sources_.size(); ++index)
    {
      names_.push_back(sources_[index].name);
      slices_.insert(slices_.end(), headers_[index].frames.begin(), headers_[index].frames.end());
    }
    readSeriesAttributes(*files_.front(), result_);
  }

  size_t workerCount() const
  {
    const size_t hardware = std::max(1u, std::thread::hardware_concurrency());
    return options_.threads ? options_.threads : std::min<size_t>(hardware, 8);
  }

  void requireOneSeriesOfOneSize() const
  {
    std::set<std::string> series;
    for (const auto& header : headers_)
    {
      if (!header.seriesInstanceUid.empty())
      {
        series.insert(header.seriesInstanceUid);
      }
    }
    if (series.size() > 1)
    {
      throw InconsistentSeriesError(SeriesProblem::MixedSeries,
                                    "the instances belong to " + std::to_string(series.size()) +
                                        " series (" + *series.begin() + ", " +
                                        *std::next(series.begin()) + ", ...)");
    }
    const PixelLayout& first = headers_.front().layout;
    for (const auto& header : headers_)
    {
      if (header.layout.rows != first.rows || header.layout.columns != first.columns)
      {
        throw InconsistentSeriesError(
            SeriesProblem::MixedSize,
            header.name + " is " + std::to_string(header.layout.columns) + "x" +
                std::to_string(header.layout.rows) + " but " + headers_.front().name + " is " +
                std::to_string(first.columns) + "x" + std::to_string(first.rows));
      }
    }
  }

  // Instances decode in parallel, each into its own slices.
  void fillVoxels(const std::vector<size_t>& slot)
  {
    const VolumeGeometry& geometry = result_.image.geometry;
    try
    {
      result_.image.voxels.resize(geometry.voxelCount());
    }
    catch (const std::bad_alloc&)
    {
      throw VolumeTooLargeError("Not enough memory for a " + std::to_string(geometry.size[0]) +
                                "x" + std::to_string(geometry.size[1]) + "x" +
                                std::to_string(geometry.size[2]) + " float volume (" +
                                std::to_string(geometry.voxelCount() * sizeof(float) >> 20) +
                                " MiB)");
    }
    std::vector<size_t> firstSlice(headers_.size(), 0);
    for (size_t instance = 1; instance < headers_.size(); ++instance)
    {
      firstSlice[instance] = firstSlice[instance - 1] + headers_[instance - 1].frames.size();
    }
    parallelFor(headers_.size(), workerCount(),
                [&](size_t instance) { fillInstance(instance, slot, firstSlice[instance]); });
  }

  void fillInstance(size_t instance, const std::vector<size_t>& slot, size_t firstSlice)
  {
    ImageVolume& image = result_.image;
    const size_t sliceVoxels = image.geometry.size[0] * image.geometry.size[1];
    const InstanceHeader& header = headers_[instance];
    std::vector<float*> destinations;
    for (size_t frame = 0; frame < header.frames.size(); ++frame)
    {
      destinations.push_back(image.voxels.data() + slot[firstSlice + frame] * sliceVoxels);
    }
    decodeStoredFrames(*files_[instance], header.layout, header.name, options_.frameDecoder,
                       sources_[instance].bytes,
                       [&destinations](unsigned frame) { return destinations.at(frame); });
    files_[instance].reset(); // release the instance's pixel data as soon as it is copied
    const bool inverted = header.layout.photometricInterpretation == "MONOCHROME1";
    const double mirror = monochrome1Mirror(header.layout);
    for (const SliceHeader& frame : header.frames)
    {
      const double slope = inverted ? -frame.rescaleSlope : frame.rescaleSlope;
      const double intercept =
          frame.rescaleIntercept + (inverted ? frame.rescaleSlope * mirror : 0.0);
      if (slope == 1.0 && intercept == 0.0)
      {
        continue;
      }
      float* voxels = destinations[frame.frame];
      for (size_t voxel = 0; voxel < sliceVoxels; ++voxel)
      {
        voxels[voxel] = static_cast<float>(voxels[voxel] * slope + intercept);
      }
    }
  }

  std::vector<InstanceSource> sources_;
  const SeriesReadOptions& options_;
  std::vector<std::unique_ptr<DcmFileFormat>> files_;
  std::vector<InstanceHeader> headers_;
  std::vector<std::string> names_;
  std::vector<SliceHeader> slices_;
  SeriesVolume result_;
};
} // namespace

SeriesVolume readSeriesFiles(const std::vector<std::filesystem::path>& files,
                             const SeriesReadOptions& options)
{
  std::vector<InstanceSource> sources;
  for (const auto& path : files)
  {
    auto content = std::make_shared<std::string>();
    sources.push_back({path.string(), [path] { return openDicomFile(path); },
                       [path, content]() -> std::string_view
                       {
                         if (content->empty())
                         {
                           *content = readFileBytes(path);
                         }
                         return *content;
                       }});
  }
  return SeriesAssembler(std::move(sources), options).assemble();
}

SeriesVolume readSeriesBuffers(const std::vector<DicomBuffer>& instances,
                               const SeriesReadOptions& options)
{
  std::vector<InstanceSource> sources;
  for (const auto& instance : instances)
  {
    sources.push_back({instance.name,
                       [instance] { return openDicomBytes(instance.bytes, instance.name); },
                       [instance] { return instance.bytes; }});
  }
  return SeriesAssembler(std::move(sources), options).assemble();
}

std::vector<std::filesystem::path> listSeriesFiles(const std::filesystem::path& folder)
{
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error))
  {
    throw DicomReadError("\"" + folder.string() + "\" is not a folder");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
  {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.front() != '.' && name != "DICOMDIR")
    {
      files.push_back(entry.path());
    }
  }
  if (files.empty())
  {
    throw DicomReadError("\"" + folder.string() + "\" holds no files");
  }
  std::sort(files.begin(), files.end());
  return files;
}

SeriesVolume readSeriesFolder(const std::filesystem::path& folder, const SeriesReadOptions& options)
{
  return readSeriesFiles(listSeriesFiles(folder), options);
}
} // namespace iris::dicom
