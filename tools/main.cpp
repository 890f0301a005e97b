#include "tools/CommandLine.h"

#include <iostream>

int main(int argc, char** argv)
{
  return iris::cli::runCommandLine(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                   std::cerr);
}
