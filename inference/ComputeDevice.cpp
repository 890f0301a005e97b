#include "inference/ComputeDevice.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace iris::inference
{
ComputeDevice selectComputeDevice(const std::string& requested, int threads)
{
  if (!isValidDeviceName(requested))
  {
    throw std::invalid_argument("Unknown compute device \"" + requested +
                                "\": expected auto, cpu or cuda");
  }
  ComputeDevice device;
  device.requested = requested;
  device.threads = std::max(1, threads);
  torch::set_num_threads(device.threads);

  const bool cudaPresent = torch::cuda::is_available();
  if (requested != "cpu" && cudaPresent)
  {
    device.selected = "cuda";
    device.gpuCount = static_cast<int>(torch::cuda::device_count());
    device.detail = std::to_string(device.gpuCount) + " CUDA device(s) visible";
  }
  else
  {
    device.selected = "cpu";
    if (requested == "cpu")
    {
      device.detail = "CPU requested";
    }
    else if (requested == "cuda")
    {
      device.detail = "CUDA requested but this LibTorch build sees no CUDA device; using the CPU";
    }
    else
    {
      device.detail = "no CUDA device visible";
    }
  }
  return device;
}
} // namespace iris::inference
