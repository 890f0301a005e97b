#pragma once

#include "tests/support/HttpClient.h"
#include "tests/support/Process.h"
#include "tests/support/TempDir.h"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace iris::test
{
struct OrthancOptions
{
  // Merged over the test defaults (free ports, temp storage, authentication on, StableAge 2).
  nlohmann::json configuration = nlohmann::json::object();
  bool loadPlugin = true;
};

// A real Orthanc process with our plugin, on 127.0.0.1, in its own temp folder. It is stopped
// by PID when the object goes; the storage survives stop()/start() for restart tests.
class OrthancServer
{
public:
  static constexpr const char* kUser = "iris-test";
  static constexpr const char* kAet = "ORTHANC";

  explicit OrthancServer(OrthancOptions options = {});
  ~OrthancServer();
  OrthancServer(const OrthancServer&) = delete;
  OrthancServer& operator=(const OrthancServer&) = delete;

  void start();
  // Options for the next start(); the storage folder, index and plugin database stay.
  void reconfigure(OrthancOptions options) { options_ = std::move(options); }
  void stop();      // SIGTERM and wait: a clean shutdown
  void kill9();     // SIGKILL: a crash
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  int httpPort() const { return httpPort_; }
  int dicomPort() const { return dicomPort_; }
  const std::string& password() const { return password_; }
  HttpClient client() const { return HttpClient(httpPort_, kUser, password_); }
  const std::filesystem::path& folder() const { return dir_.path(); }
  std::string log() const;
  nlohmann::json configuration() const { return configuration_; }

  // Sends every file under `folder` with DCMTK's storescu over C-STORE.
  ProcessResult storescu(const std::filesystem::path& folder) const;

private:
  void writeConfiguration();
  bool waitUntilReady(std::string& failure);

  OrthancOptions options_;
  TempDir dir_;
  std::string password_;
  nlohmann::json configuration_;
  int httpPort_ = 0;
  int dicomPort_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int freePort();
} // namespace iris::test
