#include "tools/CommandLine.h"

namespace iris::cli
{
// dicom2nifti,nifti2dicom: filled in by the library that provides them.
std::vector<Command> seriesCommands()
{
  return {};
}
} // namespace iris::cli
