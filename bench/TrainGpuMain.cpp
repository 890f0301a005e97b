// `iris` with only the torch-only families (train, eval, import-checkpoint, check-parity), for
// bench/train-gpu.sh: the other subcommand families need DCMTK and Orthanc, which a GPU box may
// not have. The empty families keep tools/CommandLine.cpp unchanged.
#include "tools/CommandLine.h"

#include <iostream>

namespace iris::cli
{
std::vector<Command> seriesCommands()
{
  return {};
}
std::vector<Command> segCommands()
{
  return {};
}
std::vector<Command> pipelineCommands()
{
  return {};
}
std::vector<Command> reviewCommands()
{
  return {};
}
} // namespace iris::cli

int main(int argc, char** argv)
{
  return iris::cli::runCommandLine(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                   std::cerr);
}
