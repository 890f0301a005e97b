#include "tools/CommandLine.h"

namespace iris::cli
{
// segment: filled in by the library that provides them.
std::vector<Command> pipelineCommands()
{
  return {};
}
} // namespace iris::cli
