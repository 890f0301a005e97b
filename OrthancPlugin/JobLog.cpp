#include "OrthancPlugin/JobLog.h"

#include <cstdio>

namespace iris::plugin
{
namespace
{
constexpr size_t kMaxStatusDetail = 200;

// Double quotes and backslashes escaped, line breaks flattened: one transition, one line.
std::string quoted(const std::string& text)
{
  std::string out = "\"";
  for (const char c : text)
  {
    if (c == '"' || c == '\\')
    {
      out += '\\';
      out += c;
    }
    else if (c == '\n' || c == '\r')
    {
      out += ' ';
    }
    else
    {
      out += c;
    }
  }
  return out + "\"";
}
} // namespace

std::string jobTransitionLine(const storage::Job& job, const std::string& state, double seconds,
                              const std::string& reason)
{
  char secondsText[32];
  std::snprintf(secondsText, sizeof secondsText, "%.3f", seconds);
  std::string line = "job=" + std::to_string(job.id) + " series=" + job.seriesId +
                     " task=" + job.taskId + " state=" + state +
                     " attempt=" + std::to_string(job.attempts) + "/" +
                     std::to_string(job.maxAttempts) + " seconds=" + secondsText;
  if (!reason.empty())
  {
    line += " reason=" + quoted(reason);
  }
  return line;
}

std::string seriesStatusValue(const std::string& state, const std::string& detail)
{
  if (detail.empty())
  {
    return state;
  }
  std::string flat;
  for (const char c : detail.substr(0, kMaxStatusDetail))
  {
    flat += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return state + ": " + flat;
}
} // namespace iris::plugin
