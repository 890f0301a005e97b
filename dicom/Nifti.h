#pragma once

#include "dicom/Volume.h"

#include <filesystem>
#include <stdexcept>

namespace iris::dicom
{
// A NIfTI file that cannot be read or written; the message names the file and the cause.
class NiftiError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// NIfTI-1 single-file images (.nii or .nii.gz). NIfTI coordinates are RAS; our geometry is LPS,
// so the first two rows of the affine change sign at this boundary. The sform is used when its
// code is set, else the qform (or plain pixdim scaling when neither is set).
//
// 3-D images, or 4-D/5-D with a single volume, of any scalar datatype; scl_slope/scl_inter are
// applied. RGB and complex data and several volumes raise NiftiError.
ImageVolume readNiftiImage(const std::filesystem::path& path);

// Like readNiftiImage, but every voxel must hold an integer in 0..65535 (after scaling).
LabelVolume readNiftiLabels(const std::filesystem::path& path);

// Only the geometry (header), without reading the voxels.
VolumeGeometry readNiftiGeometry(const std::filesystem::path& path);

// Writes float32 (images) or uint16 (labels), with the sform and qform both set (code 1,
// scanner anatomical) to the same affine. The extension (.nii or .nii.gz) picks compression.
void writeNiftiImage(const std::filesystem::path& path, const ImageVolume& image);
void writeNiftiLabels(const std::filesystem::path& path, const LabelVolume& labels);
} // namespace iris::dicom
