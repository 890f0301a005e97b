#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

namespace iris::dicom
{
// Whether value is a JSON integer from minimum to maximum. nlohmann keeps a non-negative integer
// as unsigned, and get<long long>() wraps one above INT64_MAX into a negative number that a
// plain range check would accept (18446744073709551615 reads as -1).
inline bool isIntegerBetween(const nlohmann::json& value, int64_t minimum, int64_t maximum)
{
  if (value.is_number_unsigned())
  {
    const uint64_t number = value.get<uint64_t>();
    return maximum >= 0 && number <= static_cast<uint64_t>(maximum) &&
           (minimum <= 0 || number >= static_cast<uint64_t>(minimum));
  }
  if (value.is_number_integer())
  {
    const int64_t number = value.get<int64_t>();
    return number >= minimum && number <= maximum;
  }
  return false;
}
} // namespace iris::dicom
