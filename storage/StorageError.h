#pragma once

#include <stdexcept>
#include <string>

namespace iris::storage
{
// Every SQLite failure surfaces as this type, carrying the database path and the statement.
class StorageError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};
} // namespace iris::storage
