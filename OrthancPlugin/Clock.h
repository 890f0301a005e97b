#pragma once

#include <chrono>
#include <cstdint>

namespace iris::plugin
{
// Wall-clock time in Unix epoch milliseconds, the unit of every time the plugin stores.
inline int64_t nowMs()
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
} // namespace iris::plugin
