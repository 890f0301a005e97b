#include "tests/support/OrthancServer.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace iris::test
{
namespace
{
constexpr int kStartAttempts = 3;
constexpr auto kReadyTimeout = std::chrono::seconds(60);

std::string randomPassword()
{
  std::random_device device;
  std::uniform_int_distribution<int> digit(0, 35);
  std::string password;
  for (int i = 0; i < 24; ++i)
  {
    const int d = digit(device);
    password += static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
  }
  return password;
}

std::string tail(const std::string& text, size_t lines)
{
  size_t position = text.size();
  while (lines-- > 0 && position > 0)
  {
    position = text.rfind('\n', position - 1);
    if (position == std::string::npos)
    {
      return text;
    }
  }
  return text.substr(position);
}
} // namespace

int freePort()
{
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
  {
    if (fd >= 0)
    {
      close(fd);
    }
    throw std::runtime_error("Cannot find a free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(address.sin_port);
}

OrthancServer::OrthancServer(OrthancOptions options)
    : options_(std::move(options)), password_(randomPassword())
{
  std::filesystem::create_directories(dir_ / "storage");
  start();
}

OrthancServer::~OrthancServer()
{
  stop();
}

void OrthancServer::writeConfiguration()
{
  nlohmann::json configuration = {
      {"Name", "IrisTest"},
      {"StorageDirectory", (dir_ / "storage").string()},
      {"IndexDirectory", (dir_ / "storage").string()},
      {"HttpPort", httpPort_},
      {"DicomPort", dicomPort_},
      {"DicomAet", kAet},
      {"RemoteAccessAllowed", false},
      {"AuthenticationEnabled", true},
      {"RegisteredUsers", {{kUser, password_}}},
      {"StableAge", 2},
      {"HttpDescribeErrors", true},
      {"UserMetadata", {{"IrisStatus", 1024}}},
      {"Plugins", nlohmann::json::array()},
      {"Iris", {{"DatabasePath", (dir_ / "storage" / "iris.sqlite").string()}, {"Threads", 2}}},
  };
  if (options_.loadPlugin)
  {
    configuration["Plugins"].push_back(IRIS_PLUGIN_PATH);
  }
  configuration.merge_patch(options_.configuration);
  configuration_ = configuration;
  std::ofstream(dir_ / "orthanc.json") << configuration.dump(2);
}

void OrthancServer::start()
{
  if (running())
  {
    return;
  }
  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt)
  {
    httpPort_ = freePort();
    dicomPort_ = freePort();
    writeConfiguration();
    pid_ = spawnProcess({IRIS_ORTHANC_EXECUTABLE, "--verbose", (dir_ / "orthanc.json").string()},
                        dir_ / "orthanc.log");
    if (waitUntilReady(failure))
    {
      return;
    }
    stop();
    // A port taken between freePort() and Orthanc's bind is the only failure worth retrying.
    if (failure.find("port") == std::string::npos && failure.find("bind") == std::string::npos)
    {
      break;
    }
  }
  throw std::runtime_error("Orthanc did not start: " + failure + "\n--- log tail ---\n" +
                           tail(log(), 40));
}

bool OrthancServer::waitUntilReady(std::string& failure)
{
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (std::chrono::steady_clock::now() < deadline)
  {
    int status = 0;
    if (hasExited(pid_, &status))
    {
      pid_ = -1;
      failure = "the process exited (wait status " + std::to_string(status) + "): " +
                tail(log(), 5);
      return false;
    }
    try
    {
      if (client().get("/system").status == 200 && handlesSignal(pid_, SIGTERM))
      {
        return true;
      }
    }
    catch (const std::exception&)
    {
      // Not listening yet.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  failure = "not ready within " + std::to_string(kReadyTimeout.count()) + " s";
  return false;
}

void OrthancServer::stop()
{
  if (pid_ > 0)
  {
    stopProcess(pid_);
    pid_ = -1;
  }
}

void OrthancServer::kill9()
{
  if (pid_ > 0)
  {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

std::string OrthancServer::log() const
{
  std::ifstream in(dir_ / "orthanc.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ProcessResult OrthancServer::storescu(const std::filesystem::path& folder) const
{
  return runProcess({IRIS_STORESCU_EXECUTABLE, "-aec", kAet, "+sd", "+r", "-R", "-nh", "127.0.0.1",
                     std::to_string(dicomPort_), folder.string()});
}
} // namespace iris::test
