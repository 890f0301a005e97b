#pragma once

#include "storage/Database.h"

#include <filesystem>
#include <mutex>
#include <string_view>

namespace iris::plugin
{
// Uploaded reference files: "<folder of the database>/references/<fingerprint>.nii[.gz]", named
// by content (ModelIdentity's fileFingerprint), never by anything the client chose. Equal
// uploads share one file.
std::filesystem::path uploadsFolder();

// Held from writing an upload until the reference that uses it is committed, and while unused
// files are removed, so that a removal never takes a file an upload is about to use.
std::unique_lock<std::mutex> lockUploads();

// Writes the bytes (a NIfTI file, gzip-compressed or not) and returns the file's path.
// Requires lockUploads().
std::filesystem::path storeUpload(std::string_view bytes);

// Deletes every uploaded file that no reference of any task uses. Requires lockUploads().
void removeUnusedUploads(storage::Database& database);
} // namespace iris::plugin
