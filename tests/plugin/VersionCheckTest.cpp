// The only Orthanc this machine has is 1.10.1, so the refusal of older servers is exercised by
// loading the real plugin binary into a minimal host that reports an older version.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <orthanc/OrthancCPlugin.h>
#include <string>
#include <vector>

namespace iris::test
{
namespace
{
std::vector<std::string> errors;

OrthancPluginErrorCode recordService(OrthancPluginContext*, _OrthancPluginService service,
                                     const void* params)
{
  if (service == _OrthancPluginService_LogError)
  {
    errors.emplace_back(static_cast<const char*>(params));
  }
  return OrthancPluginErrorCode_Success;
}

class PluginLibrary
{
public:
  PluginLibrary() : handle_(dlopen(IRIS_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL)) {}
  ~PluginLibrary()
  {
    if (handle_)
    {
      dlclose(handle_);
    }
  }
  template <typename Function> Function symbol(const char* name)
  {
    return reinterpret_cast<Function>(dlsym(handle_, name));
  }
  bool loaded() const { return handle_ != nullptr; }

private:
  void* handle_;
};

TEST(PluginVersionCheck, RefusesOrthancOlderThan1_10_1)
{
  PluginLibrary plugin;
  ASSERT_TRUE(plugin.loaded()) << dlerror();
  auto initialize = plugin.symbol<int32_t (*)(OrthancPluginContext*)>("OrthancPluginInitialize");
  ASSERT_NE(initialize, nullptr);

  for (const char* old : {"1.10.0", "1.9.7", "0.9.6"})
  {
    errors.clear();
    OrthancPluginContext host{nullptr, old, nullptr, recordService};
    EXPECT_EQ(initialize(&host), -1) << old;
    ASSERT_EQ(errors.size(), 1u) << old;
    EXPECT_NE(errors[0].find("needs Orthanc >= 1.10.1"), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find(old), std::string::npos) << errors[0];
  }
}

TEST(PluginVersionCheck, ExportsTheFourEntryPoints)
{
  PluginLibrary plugin;
  ASSERT_TRUE(plugin.loaded()) << dlerror();
  for (const char* name : {"OrthancPluginInitialize", "OrthancPluginFinalize",
                           "OrthancPluginGetName", "OrthancPluginGetVersion"})
  {
    EXPECT_NE(plugin.symbol<void*>(name), nullptr) << name;
  }
  auto name = plugin.symbol<const char* (*)()>("OrthancPluginGetName");
  EXPECT_STREQ(name(), "iris");
}
} // namespace
} // namespace iris::test
