#pragma once

#include <string>

namespace iris::plugin
{
// Orthanc resource ids: five groups of eight lower-case hex digits.
bool isOrthancId(const std::string& id);
} // namespace iris::plugin
