#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace iris::test
{
struct ProcessResult
{
  int exitCode = -1; // -1 when killed by a signal or the timeout
  bool timedOut = false;
  std::string output; // stdout and stderr, interleaved
};

// Runs a program to completion (killed after `timeout`), capturing its output.
ProcessResult runProcess(const std::vector<std::string>& argv,
                         std::chrono::seconds timeout = std::chrono::seconds(120));

// Starts a program in the background with stdout and stderr sent to `logFile`. The child dies
// with the test process (PR_SET_PDEATHSIG), so a crashed test leaves nothing running.
pid_t spawnProcess(const std::vector<std::string>& argv, const std::filesystem::path& logFile);

// Whether `pid` has exited; reaps it if so.
bool hasExited(pid_t pid, int* status = nullptr);

// Whether `pid` has installed a handler for `signal` (Linux: SigCgt in /proc/<pid>/status).
// Orthanc answers HTTP before it installs its SIGTERM handler; a SIGTERM in between kills it
// without running the plugins' finalizers.
bool handlesSignal(pid_t pid, int signal);

// SIGTERM, then SIGKILL after `grace`; always reaps. Returns the wait status.
int stopProcess(pid_t pid, std::chrono::seconds grace = std::chrono::seconds(20));
} // namespace iris::test
