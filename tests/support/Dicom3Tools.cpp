#include "tests/support/Dicom3Tools.h"

#include "tests/support/Process.h"

#include <sstream>

namespace iris::test
{
std::vector<std::string> dicom3toolsErrors(const std::string& report)
{
  std::vector<std::string> errors;
  std::istringstream lines(report);
  std::string line;
  while (std::getline(lines, line))
  {
    if (line.rfind("Error", 0) == 0)
    {
      errors.push_back(line);
    }
  }
  return errors;
}

std::vector<std::string> dciodvfyErrors(const std::filesystem::path& file)
{
  const auto result = runProcess({IRIS_DCIODVFY_EXECUTABLE, "-new", file.string()});
  auto errors = dicom3toolsErrors(result.output);
  if (result.output.find("\nSegmentation\n") == std::string::npos &&
      result.output.rfind("Segmentation\n", 0) != 0)
  {
    errors.push_back("dciodvfy did not recognise a Segmentation: " + result.output);
  }
  return errors;
}
} // namespace iris::test
