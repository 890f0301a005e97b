#include "dicom/Nifti.h"
#include "dicom/SeriesReader.h"
#include "inference/Segmenter.h"
#include "tools/CommandLine.h"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace iris::cli
{
namespace
{
constexpr int kUsageError = 2;
constexpr const char* kSegmentUsage =
    "--model <ckpt> --query <q.nii.gz|series_dir> -o <out.nii.gz> "
    "(--reference <img.nii.gz>:<label.nii.gz> ... [--classes 1,2] | --memory-bank "
    "<row|dataset:label> ...) "
    "[--embedding <file> ...] [--strategy one-shot|ensemble|retrieval|tuning] "
    "[--device auto|cpu|cuda] [--threads N] [--modality auto|CT|MR|PT] [--spacing MM] "
    "[--tuning-steps N] [--top-k N] [--no-largest-component] [--save-embeddings <file>]";

struct SegmentArgs
{
  std::string model, query, output, strategy, classes, modality = "auto", saveEmbeddings;
  std::vector<std::string> references, memoryBank, embeddings;
  inference::SegmenterOptions options;
};

SegmentArgs parseSegmentArgs(const std::vector<std::string>& args)
{
  SegmentArgs parsed;
  for (size_t i = 0; i < args.size(); ++i)
  {
    const std::string& flag = args[i];
    if (flag == "--no-largest-component")
    {
      parsed.options.largestComponent = false;
      continue;
    }
    if (i + 1 >= args.size())
    {
      throw std::invalid_argument(flag + " needs a value");
    }
    const std::string& value = args[++i];
    if (flag == "--model")
      parsed.model = value;
    else if (flag == "--query")
      parsed.query = value;
    else if (flag == "-o" || flag == "--output")
      parsed.output = value;
    else if (flag == "--reference")
      parsed.references.push_back(value);
    else if (flag == "--memory-bank")
      parsed.memoryBank.push_back(value);
    else if (flag == "--embedding")
      parsed.embeddings.push_back(value);
    else if (flag == "--classes")
      parsed.classes = value;
    else if (flag == "--strategy")
      parsed.strategy = value;
    else if (flag == "--device")
      parsed.options.device = value;
    else if (flag == "--threads")
      parsed.options.threads = parsePositiveCount(value, "--threads");
    else if (flag == "--modality")
      parsed.modality = value;
    else if (flag == "--spacing")
      parsed.options.spacingMm = parsePositiveNumber(value, "--spacing");
    else if (flag == "--tuning-steps")
      parsed.options.tuningSteps = parsePositiveCount(value, "--tuning-steps");
    else if (flag == "--top-k")
      parsed.options.retrievalTopK = static_cast<size_t>(parsePositiveCount(value, "--top-k"));
    else if (flag == "--save-embeddings")
      parsed.saveEmbeddings = value;
    else
      throw std::invalid_argument("unknown option " + flag);
  }
  if (parsed.model.empty() || parsed.query.empty() || parsed.output.empty())
  {
    throw std::invalid_argument("--model, --query and -o are required");
  }
  const bool bank = !parsed.memoryBank.empty();
  if (bank == (!parsed.references.empty() || !parsed.embeddings.empty()))
  {
    throw std::invalid_argument("give either --reference/--embedding or --memory-bank");
  }
  if (parsed.strategy.empty())
  {
    parsed.strategy = bank ? "memory-bank" : "one-shot";
  }
  return parsed;
}

std::vector<uint16_t> parseClasses(const std::string& text)
{
  std::vector<uint16_t> classes;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
  {
    const int value = parsePositiveCount(item, "each --classes value");
    if (value > 65535)
    {
      throw std::invalid_argument("class " + item + " is above 65535");
    }
    classes.push_back(static_cast<uint16_t>(value));
  }
  if (classes.empty())
  {
    throw std::invalid_argument("--classes lists no class");
  }
  return classes;
}

// "<image>:<label>", split at the first ':' whose left side is an existing file.
std::pair<std::filesystem::path, std::filesystem::path> splitReference(const std::string& text)
{
  for (size_t colon = text.find(':'); colon != std::string::npos; colon = text.find(':', colon + 1))
  {
    if (std::filesystem::is_regular_file(text.substr(0, colon)))
    {
      return {text.substr(0, colon), text.substr(colon + 1)};
    }
  }
  throw std::invalid_argument("--reference \"" + text +
                              "\" is not <existing image file>:<label file>");
}

struct LoadedQuery
{
  dicom::ImageVolume image;
  std::string modality;
};

LoadedQuery loadQuery(const std::string& path, const std::string& modality)
{
  if (std::filesystem::is_directory(path))
  {
    auto series = dicom::readSeriesFolder(path);
    return {std::move(series.image),
            modality == "auto" && !series.modality.empty() ? series.modality : modality};
  }
  return {dicom::readNiftiImage(path), modality};
}

std::string readFile(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
  {
    throw std::runtime_error("cannot read " + path);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int runSegment(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
  SegmentArgs parsed;
  try
  {
    parsed = parseSegmentArgs(args);
  }
  catch (const std::invalid_argument& error)
  {
    err << "iris segment: " << error.what() << "\nUsage: iris segment " << kSegmentUsage << "\n";
    return kUsageError;
  }
  parsed.options.model = parsed.model;
  inference::SegmentRequest request;
  request.strategy = inference::parseStrategy(parsed.strategy);

  // Images and labels must outlive the request, which points at them.
  std::vector<std::unique_ptr<dicom::ImageVolume>> images;
  std::vector<std::unique_ptr<dicom::LabelVolume>> labels;
  std::vector<uint16_t> classes;
  if (!parsed.classes.empty())
  {
    classes = parseClasses(parsed.classes);
  }
  for (const auto& text : parsed.references)
  {
    const auto [imagePath, labelPath] = splitReference(text);
    images.push_back(std::make_unique<dicom::ImageVolume>(dicom::readNiftiImage(imagePath)));
    labels.push_back(std::make_unique<dicom::LabelVolume>(dicom::readNiftiLabels(labelPath)));
    if (classes.empty())
    {
      std::set<uint16_t> values(labels.back()->voxels.begin(), labels.back()->voxels.end());
      values.erase(0);
      if (values.empty())
      {
        throw inference::SegmentationError("the reference label " + labelPath.string() +
                                           " has no foreground voxel");
      }
      classes.assign(values.begin(), values.end());
    }
    request.references.push_back(
        {images.back().get(), labels.back().get(), classes, parsed.modality});
  }
  for (const auto& path : parsed.embeddings)
  {
    request.embeddings.push_back(readFile(path));
  }
  const auto query = loadQuery(parsed.query, parsed.modality);
  inference::Segmenter segmenter(parsed.options);
  for (const auto& row : parsed.memoryBank)
  {
    request.memoryBankRows.push_back(segmenter.memoryBankRow(row));
  }
  out << "device: " << segmenter.device() << " (" << segmenter.deviceNote() << ")\n";
  const auto result = segmenter.segment(query.image, query.modality, request);
  dicom::writeNiftiLabels(parsed.output, result.labels);
  if (!parsed.saveEmbeddings.empty())
  {
    std::ofstream file(parsed.saveEmbeddings, std::ios::binary);
    if (!(file << result.embeddings))
    {
      throw std::runtime_error("cannot write " + parsed.saveEmbeddings);
    }
  }
  for (const auto& warning : result.warnings)
  {
    err << "warning: " << warning << "\n";
  }
  double total = 0.0;
  for (const auto& timing : result.timings)
  {
    out << std::left << std::setw(24) << timing.stage << std::right << std::fixed
        << std::setprecision(3) << timing.seconds << " s\n";
    total += timing.seconds;
  }
  out << std::left << std::setw(24) << "total" << std::right << total << " s\n"
      << "wrote " << parsed.output << " (" << inference::strategyName(request.strategy) << ")\n";
  return 0;
}
} // namespace

std::vector<Command> pipelineCommands()
{
  return {{"segment", kSegmentUsage,
           "Segment a query volume by example (reference images and labels, or memory bank)",
           runSegment}};
}
} // namespace iris::cli
