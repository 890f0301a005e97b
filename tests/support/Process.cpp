#include "tests/support/Process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

namespace iris::test
{
namespace
{
[[noreturn]] void execInChild(const std::vector<std::string>& argv, int outputFd)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  dup2(outputFd, STDOUT_FILENO);
  dup2(outputFd, STDERR_FILENO);
  const int devNull = open("/dev/null", O_RDONLY);
  dup2(devNull, STDIN_FILENO);
  std::vector<char*> args;
  for (const auto& arg : argv)
  {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  execv(args[0], args.data());
  const std::string message = "exec failed: " + argv[0] + "\n";
  (void)!write(STDERR_FILENO, message.data(), message.size());
  _exit(127);
}

int exitCodeOf(int status)
{
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
} // namespace

ProcessResult runProcess(const std::vector<std::string>& argv, std::chrono::seconds timeout)
{
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0)
  {
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = fork();
  if (pid < 0)
  {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0)
  {
    execInChild(argv, pipeFds[1]);
  }
  close(pipeFds[1]);

  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  for (;;)
  {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
    {
      result.timedOut = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd fd{pipeFds[0], POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) > 0)
    {
      const ssize_t n = read(pipeFds[0], buffer, sizeof buffer);
      if (n <= 0)
      {
        break;
      }
      result.output.append(buffer, static_cast<size_t>(n));
    }
  }
  close(pipeFds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exitCode = result.timedOut ? -1 : exitCodeOf(status);
  return result;
}

pid_t spawnProcess(const std::vector<std::string>& argv, const std::filesystem::path& logFile)
{
  const int fd = open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
  {
    throw std::runtime_error("Cannot open log file " + logFile.string());
  }
  const pid_t pid = fork();
  if (pid < 0)
  {
    close(fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0)
  {
    execInChild(argv, fd);
  }
  close(fd);
  return pid;
}

bool hasExited(pid_t pid, int* status)
{
  int local = 0;
  const pid_t done = waitpid(pid, &local, WNOHANG);
  if (status)
  {
    *status = local;
  }
  return done == pid;
}

bool handlesSignal(pid_t pid, int signal)
{
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
  {
    if (line.rfind("SigCgt:", 0) == 0)
    {
      const auto caught = std::stoull(line.substr(7), nullptr, 16);
      return (caught >> (signal - 1)) & 1u;
    }
  }
  return false;
}

int stopProcess(pid_t pid, std::chrono::seconds grace)
{
  int status = 0;
  if (hasExited(pid, &status))
  {
    return status;
  }
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline)
  {
    if (hasExited(pid, &status))
    {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return status;
}
} // namespace iris::test
