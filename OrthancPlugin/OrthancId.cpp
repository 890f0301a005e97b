#include "OrthancPlugin/OrthancId.h"

#include <regex>

namespace iris::plugin
{
bool isOrthancId(const std::string& id)
{
  static const std::regex pattern("[0-9a-f]{8}(-[0-9a-f]{8}){4}");
  return std::regex_match(id, pattern);
}
} // namespace iris::plugin
