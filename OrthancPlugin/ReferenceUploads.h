#pragma once

#include "storage/Database.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace iris::plugin
{
// Uploaded reference files: "<folder of the database>/references/<fingerprint>.nii[.gz]", named
// by content (ModelIdentity's fileFingerprint), never by anything the client chose. Equal
// uploads share one file.
std::filesystem::path uploadsFolder();

// The parts "image", "labels" (file bytes) and "classes" (JSON) of an upload body, as views into
// `body`. HttpError (400) for a malformed body, a missing, unknown or repeated part.
std::map<std::string, std::string_view> uploadParts(const std::string& contentType,
                                                    std::string_view body);

// Held from writing an upload until the reference that uses it is committed, and while unused
// files are removed, so that a removal never takes a file an upload is about to use.
std::unique_lock<std::mutex> lockUploads();

// Writes the bytes (a NIfTI file, gzip-compressed or not) and returns the file's path.
// Requires lockUploads().
std::filesystem::path storeUpload(std::string_view bytes);

// Deletes every uploaded file that no reference of any task uses. Requires lockUploads().
void removeUnusedUploads(storage::Database& database);
} // namespace iris::plugin
