#include "tools/CommandLine.h"

namespace iris::cli
{
// nifti2seg,seg2nifti: filled in by the library that provides them.
std::vector<Command> segCommands()
{
  return {};
}
} // namespace iris::cli
