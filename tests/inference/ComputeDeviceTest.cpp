#include "inference/ComputeDevice.h"

#include <gtest/gtest.h>

namespace iris::inference
{
namespace
{
TEST(ComputeDevice, CpuRequestIsHonoured)
{
  const auto device = selectComputeDevice("cpu", 2);
  EXPECT_EQ(device.selected, "cpu");
  EXPECT_EQ(device.threads, 2);
}

TEST(ComputeDevice, AutoAndCudaNeverFailWithoutAGpu)
{
  for (const char* requested : {"auto", "cuda"})
  {
    const auto device = selectComputeDevice(requested, 1);
    EXPECT_TRUE(device.selected == "cpu" || device.selected == "cuda") << requested;
    EXPECT_FALSE(device.detail.empty());
  }
}

TEST(ComputeDevice, ThreadCountIsAtLeastOne)
{
  EXPECT_EQ(selectComputeDevice("cpu", 0).threads, 1);
}

TEST(ComputeDevice, UnknownNameIsRejectedWithTheName)
{
  try
  {
    selectComputeDevice("tpu", 1);
    FAIL() << "expected invalid_argument";
  }
  catch (const std::invalid_argument& error)
  {
    EXPECT_NE(std::string(error.what()).find("tpu"), std::string::npos);
  }
}
} // namespace
} // namespace iris::inference
