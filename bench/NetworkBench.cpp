// Forward-time benchmark of the Iris network: per-window decode and encode times, the decode
// cost of cached embeddings from 1 versus 10 references (and 1 versus 10 classes), and the
// paper's Table 3 workload (10 queries × 15 classes at 128³, one reference) on a GPU.
// Each case runs in a forked child so its peak RSS is its own. Prints a Markdown table and
// writes JSON. Random weights: speed does not depend on their values.

#include "inference/IrisModel.h"
#include "inference/IrisNetwork.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using iris::inference::IrisConfig;
using iris::inference::IrisModel;
using iris::inference::TaskEmbedding;

namespace
{
struct Options
{
  std::vector<std::string> configs{"tiny", "default", "full"};
  std::vector<int> sizes{64};
  int runs = 5;
  int threads = 2;
  std::string device = "cpu";
  bool paperWorkload = false;
  std::string jsonPath = "network-bench.json";
  std::string markdownPath;
};

IrisConfig namedConfig(const std::string& name, int size)
{
  IrisConfig config;  // full = the released architecture
  if (name == "tiny") // the parity-vector architecture
  {
    config.channels = {8, 16, 32, 32, 64};
    config.numBlock = {2, 1, 1, 1};
    config.tn = 4;
  }
  else if (name == "default")
  {
    config.channels = {16, 32, 64, 128, 256};
    config.numBlock = {1, 1, 1, 1};
    config.tn = 16;
  }
  else if (name != "full")
  {
    throw std::invalid_argument("unknown config " + name + " (tiny, default, full)");
  }
  config.patchSize = std::max(64, size);
  return config;
}

// OpenBLAS pthread spawns its own threads on top of ATen's: pin it to one.
std::string configureBlas()
{
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
  {
    set(1);
  }
  Dl_info info{};
  void* gemm = dlsym(RTLD_DEFAULT, "sgemm_");
  if (!gemm || !dladdr(gemm, &info) || !info.dli_fname)
  {
    return "unknown";
  }
  std::error_code error; // resolve the Debian alternatives symlink to the real library
  const auto real = std::filesystem::canonical(info.dli_fname, error);
  return error ? info.dli_fname : real.string();
}

double seconds(const std::function<void()>& work)
{
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values)
{
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Warm-up once, then the median of `runs` timed runs, each ending in a host sync.
double timed(int runs, const std::function<torch::Tensor()>& work)
{
  work().sum().item<float>();
  std::vector<double> samples;
  for (int run = 0; run < runs; ++run)
  {
    samples.push_back(seconds([&] { work().sum().item<float>(); }));
  }
  return median(samples);
}

nlohmann::json runCase(const Options& options, const std::string& name, int size)
{
  torch::set_num_threads(options.threads);
  torch::manual_seed(0);
  const torch::Device device(options.device);
  IrisModel model(namedConfig(name, size));
  model.to(device);
  auto volume = [&](int64_t channels) {
    return torch::randn({1, channels, size, size, size}, device);
  };
  auto masks = [&](int64_t classes) { return (volume(classes) > 1.0).to(torch::kFloat); };
  const auto image = volume(1);

  nlohmann::json result{{"config", name}, {"size", size}, {"device", options.device}};
  int64_t parameters = 0;
  for (const auto& parameter : model.network().parameters())
  {
    parameters += parameter.numel();
  }
  result["parameters"] = parameters;
  const auto reference = model.encode(image, masks(1));
  result["encode_s"] = timed(options.runs, [&] { return model.encode(image, masks(1)).stages[0]; });
  result["decode_1ref_s"] =
      timed(options.runs, [&] { return model.decodeLogits(image, reference); });
  std::vector<TaskEmbedding> references;
  for (int i = 0; i < 10; ++i)
  {
    references.push_back(model.encode(volume(1), masks(1)));
  }
  result["decode_10ref_s"] = timed(
      options.runs, [&] { return model.decodeLogits(image, TaskEmbedding::mean(references)); });
  result["ref_ratio"] =
      result["decode_10ref_s"].get<double>() / result["decode_1ref_s"].get<double>();
  const auto tenClasses = model.encode(image, masks(10));
  result["decode_10class_s"] =
      timed(options.runs, [&] { return model.decodeLogits(image, tenClasses); });
  if (options.paperWorkload)
  {
    // Table 3 of the paper: one reference with 15 classes, 10 query windows, in one go.
    std::vector<torch::Tensor> queries;
    for (int i = 0; i < 10; ++i)
    {
      queries.push_back(volume(1));
    }
    result["paper_10q_15c_s"] = timed(std::max(1, options.runs / 2),
                                      [&]
                                      {
                                        const auto embedding = model.encode(image, masks(15));
                                        torch::Tensor last;
                                        for (const auto& query : queries)
                                        {
                                          last = model.decodeProbabilities(query, embedding);
                                        }
                                        return last;
                                      });
  }
  return result;
}

// Runs one case in a child process; its peak RSS comes from wait4.
nlohmann::json forkCase(const Options& options, const std::string& name, int size)
{
  int channel[2];
  if (pipe(channel) != 0)
  {
    throw std::runtime_error("pipe failed");
  }
  const pid_t child = fork();
  if (child == 0)
  {
    close(channel[0]);
    std::string text;
    try
    {
      text = runCase(options, name, size).dump();
    }
    catch (const std::exception& error)
    {
      text = nlohmann::json{{"config", name}, {"size", size}, {"error", error.what()}}.dump();
    }
    const auto written = write(channel[1], text.data(), text.size());
    _exit(written == static_cast<ssize_t>(text.size()) ? 0 : 1);
  }
  close(channel[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = read(channel[0], buffer, sizeof(buffer))) > 0;)
  {
    text.append(buffer, got);
  }
  close(channel[0]);
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  auto result = text.empty()
                    ? nlohmann::json{{"config", name},
                                     {"size", size},
                                     {"error", "child died, status " + std::to_string(status)}}
                    : nlohmann::json::parse(text);
  result["peak_rss_mb"] = usage.ru_maxrss / 1024.0;
  return result;
}

std::string markdown(const nlohmann::json& report)
{
  std::ostringstream table;
  table << "BLAS: `" << report["blas"].get<std::string>() << "`, threads "
        << report["threads"].get<int>() << ", median of " << report["runs"].get<int>()
        << " runs after a warm-up\n\n"
        << "| config | params | window | device | encode s | decode s (1 ref) | decode s (10 refs) "
           "| 10/1 refs | decode s (10 classes) | paper 10q×15c s | peak RSS MB |\n"
        << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  char line[512];
  for (const auto& row : report["cases"])
  {
    if (row.contains("error"))
    {
      table << "| " << row["config"].get<std::string>() << " | | " << row["size"].get<int>()
            << "³ | | error: " << row["error"].get<std::string>() << " |\n";
      continue;
    }
    std::snprintf(line, sizeof(line),
                  "| %s | %.1f M | %d³ | %s | %.3f | %.3f | %.3f | %.2f | %.3f | %s | %.0f |\n",
                  row["config"].get<std::string>().c_str(), row["parameters"].get<double>() / 1e6,
                  row["size"].get<int>(), row["device"].get<std::string>().c_str(),
                  row["encode_s"].get<double>(), row["decode_1ref_s"].get<double>(),
                  row["decode_10ref_s"].get<double>(), row["ref_ratio"].get<double>(),
                  row["decode_10class_s"].get<double>(),
                  row.contains("paper_10q_15c_s")
                      ? std::to_string(row["paper_10q_15c_s"].get<double>()).c_str()
                      : "-",
                  row["peak_rss_mb"].get<double>());
    table << line;
  }
  return table.str();
}

std::vector<std::string> splitList(const std::string& text)
{
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');)
  {
    items.push_back(item);
  }
  return items;
}
} // namespace

int main(int argc, char** argv)
{
  Options options;
  for (int i = 1; i < argc; ++i)
  {
    const std::string flag = argv[i];
    if (flag == "--paper")
    {
      options.paperWorkload = true;
      continue;
    }
    if (i + 1 >= argc)
    {
      std::cerr << flag << " needs a value\n";
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--configs")
      options.configs = splitList(value);
    else if (flag == "--sizes")
    {
      options.sizes.clear();
      for (const auto& size : splitList(value))
        options.sizes.push_back(std::stoi(size));
    }
    else if (flag == "--runs")
      options.runs = std::max(1, std::stoi(value));
    else if (flag == "--threads")
      options.threads = std::max(1, std::stoi(value));
    else if (flag == "--device")
      options.device = value;
    else if (flag == "--json")
      options.jsonPath = value;
    else if (flag == "--markdown")
      options.markdownPath = value;
    else
    {
      std::cerr << "usage: iris_network_bench [--configs tiny,default,full] [--sizes 64,96,128] "
                   "[--runs 5] [--threads 2] [--device cpu|cuda] [--paper] [--json out.json] "
                   "[--markdown out.md]\n";
      return 2;
    }
  }
  nlohmann::json report{{"blas", configureBlas()},
                        {"threads", options.threads},
                        {"runs", options.runs},
                        {"cases", nlohmann::json::array()}};
  for (const auto& name : options.configs)
  {
    for (int size : options.sizes)
    {
      report["cases"].push_back(forkCase(options, name, size));
      std::cerr << report["cases"].back().dump() << "\n";
    }
  }
  std::ofstream(options.jsonPath) << report.dump(2) << "\n";
  const auto table = markdown(report);
  if (!options.markdownPath.empty())
  {
    std::ofstream(options.markdownPath) << table;
  }
  std::cout << table;
  return 0;
}
