#include "dicom/Nifti.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <nifti1_io.h>
#include <string>

namespace iris::dicom
{
namespace
{
struct NiftiImageDeleter
{
  void operator()(nifti_image* image) const { nifti_image_free(image); }
};
using NiftiImagePtr = std::unique_ptr<nifti_image, NiftiImageDeleter>;

std::string describe(const std::filesystem::path& path)
{
  return "NIfTI file \"" + path.string() + "\"";
}

void requireSingleFileName(const std::filesystem::path& path)
{
  const std::string name = path.filename().string();
  const auto endsWith = [&name](const std::string& suffix)
  {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (!endsWith(".nii") && !endsWith(".nii.gz"))
  {
    throw NiftiError(describe(path) + ": the name must end in .nii or .nii.gz");
  }
}

NiftiImagePtr openNifti(const std::filesystem::path& path, bool readData)
{
  requireSingleFileName(path);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
  {
    throw NiftiError(describe(path) + " does not exist or is not a file");
  }
  nifti_set_debug_level(0); // errors become exceptions here, not stderr noise
  NiftiImagePtr image(nifti_image_read(path.c_str(), readData ? 1 : 0));
  if (!image)
  {
    throw NiftiError(describe(path) + " is not a readable NIfTI-1 image (bad header, "
                                      "truncated or corrupt data)");
  }
  if (readData && image->data == nullptr)
  {
    throw NiftiError(describe(path) + ": the voxel data could not be read (truncated?)");
  }
  return image;
}

VolumeGeometry geometryOf(const nifti_image& image, const std::filesystem::path& path)
{
  for (int extra = 4; extra <= image.dim[0] && extra <= 7; ++extra)
  {
    if (image.dim[extra] > 1)
    {
      throw NiftiError(describe(path) + " holds " + std::to_string(image.dim[extra]) +
                       " volumes along dimension " + std::to_string(extra) +
                       "; only one 3-D volume is supported");
    }
  }
  VolumeGeometry geometry;
  geometry.size = {static_cast<size_t>(std::max(image.nx, 1)),
                   static_cast<size_t>(std::max(image.ny, 1)),
                   static_cast<size_t>(std::max(image.nz, 1))};
  const mat44& affine = image.sform_code > 0 ? image.sto_xyz : image.qto_xyz;
  // RAS (NIfTI) to LPS (DICOM): negate x and y.
  const double flip[3] = {-1.0, -1.0, 1.0};
  for (int axis = 0; axis < 3; ++axis)
  {
    Vec3 column{};
    for (int row = 0; row < 3; ++row)
    {
      column[row] = flip[row] * affine.m[row][axis];
    }
    const double length = std::hypot(column[0], column[1], column[2]);
    if (!(length > 0.0) || !std::isfinite(length))
    {
      throw NiftiError(describe(path) + " has a degenerate affine (axis " + std::to_string(axis) +
                       " has zero length)");
    }
    geometry.spacing[axis] = length;
    for (int row = 0; row < 3; ++row)
    {
      geometry.axes[axis][row] = column[row] / length;
    }
    geometry.origin[axis] = flip[axis] * affine.m[axis][3];
  }
  return geometry;
}

template <typename Stored, typename Visit>
void visitTyped(const nifti_image& image, size_t count, Visit&& visit)
{
  const auto* data = static_cast<const Stored*>(image.data);
  for (size_t index = 0; index < count; ++index)
  {
    visit(index, static_cast<double>(data[index]));
  }
}

// Calls visit(index, value) for every voxel of the first volume, with scl_slope/inter applied.
template <typename Visit>
void visitVoxels(const nifti_image& image, size_t count, const std::filesystem::path& path,
                 Visit&& visit)
{
  const bool scaled = image.scl_slope != 0.0f && std::isfinite(image.scl_slope) &&
                      !(image.scl_slope == 1.0f && image.scl_inter == 0.0f);
  const double slope = scaled ? image.scl_slope : 1.0;
  const double intercept = scaled ? image.scl_inter : 0.0;
  auto scaledVisit = [&](size_t index, double value) { visit(index, value * slope + intercept); };
  switch (image.datatype)
  {
  case DT_UINT8:
    return visitTyped<uint8_t>(image, count, scaledVisit);
  case DT_INT8:
    return visitTyped<int8_t>(image, count, scaledVisit);
  case DT_UINT16:
    return visitTyped<uint16_t>(image, count, scaledVisit);
  case DT_INT16:
    return visitTyped<int16_t>(image, count, scaledVisit);
  case DT_UINT32:
    return visitTyped<uint32_t>(image, count, scaledVisit);
  case DT_INT32:
    return visitTyped<int32_t>(image, count, scaledVisit);
  case DT_UINT64:
    return visitTyped<uint64_t>(image, count, scaledVisit);
  case DT_INT64:
    return visitTyped<int64_t>(image, count, scaledVisit);
  case DT_FLOAT32:
    return visitTyped<float>(image, count, scaledVisit);
  case DT_FLOAT64:
    return visitTyped<double>(image, count, scaledVisit);
  default:
    throw NiftiError(describe(path) + " has datatype " + nifti_datatype_string(image.datatype) +
                     "; only scalar integer and float images are supported");
  }
}

template <typename T, typename Convert>
Volume<T> readVolume(const std::filesystem::path& path, Convert&& convert)
{
  const NiftiImagePtr image = openNifti(path, true);
  Volume<T> volume;
  volume.geometry = geometryOf(*image, path);
  volume.voxels.resize(volume.geometry.voxelCount());
  visitVoxels(*image, volume.voxels.size(), path,
              [&](size_t index, double value) { volume.voxels[index] = convert(index, value); });
  return volume;
}

mat44 rasAffine(const VolumeGeometry& geometry)
{
  const Matrix4 lps = geometry.voxelToPatient();
  mat44 ras{};
  for (int row = 0; row < 4; ++row)
  {
    const double sign = row < 2 ? -1.0 : 1.0;
    for (int column = 0; column < 4; ++column)
    {
      ras.m[row][column] = static_cast<float>(sign * lps[row][column]);
    }
  }
  return ras;
}

template <typename T>
void writeVolume(const std::filesystem::path& path, const Volume<T>& volume, int datatype)
{
  requireSingleFileName(path);
  const auto& size = volume.geometry.size;
  if (volume.voxels.size() != volume.geometry.voxelCount() || volume.voxels.empty())
  {
    throw NiftiError("Cannot write " + describe(path) + ": the volume has " +
                     std::to_string(volume.voxels.size()) + " voxels for a grid of " +
                     std::to_string(volume.geometry.voxelCount()));
  }
  const std::filesystem::path parent = path.parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent))
  {
    throw NiftiError("Cannot write " + describe(path) + ": folder " + parent.string() +
                     " does not exist");
  }
  int dims[8] = {
      3, static_cast<int>(size[0]), static_cast<int>(size[1]), static_cast<int>(size[2]), 1, 1, 1,
      1};
  NiftiImagePtr image(nifti_make_new_nim(dims, datatype, 1));
  if (!image)
  {
    throw NiftiError("Cannot allocate a NIfTI image for " + describe(path));
  }
  std::memcpy(image->data, volume.voxels.data(), volume.voxels.size() * sizeof(T));
  for (int axis = 0; axis < 3; ++axis)
  {
    image->pixdim[axis + 1] = static_cast<float>(volume.geometry.spacing[axis]);
  }
  image->dx = image->pixdim[1];
  image->dy = image->pixdim[2];
  image->dz = image->pixdim[3];
  image->xyz_units = NIFTI_UNITS_MM;
  image->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  image->qform_code = NIFTI_XFORM_SCANNER_ANAT;
  image->sto_xyz = rasAffine(volume.geometry);
  image->sto_ijk = nifti_mat44_inverse(image->sto_xyz);
  float dx = 0, dy = 0, dz = 0;
  nifti_mat44_to_quatern(image->sto_xyz, &image->quatern_b, &image->quatern_c, &image->quatern_d,
                         &image->qoffset_x, &image->qoffset_y, &image->qoffset_z, &dx, &dy, &dz,
                         &image->qfac);
  image->qto_xyz =
      nifti_quatern_to_mat44(image->quatern_b, image->quatern_c, image->quatern_d, image->qoffset_x,
                             image->qoffset_y, image->qoffset_z, dx, dy, dz, image->qfac);
  image->qto_ijk = nifti_mat44_inverse(image->qto_xyz);
  if (nifti_set_filenames(image.get(), path.c_str(), 0, 1) != 0)
  {
    throw NiftiError("Cannot write " + describe(path) + ": unusable file name");
  }
  std::error_code error;
  std::filesystem::remove(path, error); // so a failed write cannot leave an old file looking new
  nifti_image_write(image.get());
  // A compressed file can be smaller than the header, so only its presence is checked there.
  const bool compressed = path.extension() == ".gz";
  if (!std::filesystem::is_regular_file(path, error) ||
      std::filesystem::file_size(path, error) < (compressed ? 1 : sizeof(nifti_1_header)))
  {
    throw NiftiError("Cannot write " + describe(path) + " (permission denied or disk full?)");
  }
}
} // namespace

ImageVolume readNiftiImage(const std::filesystem::path& path)
{
  return readVolume<float>(path, [](size_t, double value) { return static_cast<float>(value); });
}

LabelVolume readNiftiLabels(const std::filesystem::path& path)
{
  return readVolume<uint16_t>(
      path,
      [&path](size_t index, double value)
      {
        if (!(value >= 0.0 && value <= 65535.0) || value != std::floor(value))
        {
          throw NiftiError(describe(path) + " is not a label map: voxel " + std::to_string(index) +
                           " holds " + std::to_string(value) +
                           " (labels must be integers in 0..65535)");
        }
        return static_cast<uint16_t>(value);
      });
}

VolumeGeometry readNiftiGeometry(const std::filesystem::path& path)
{
  const NiftiImagePtr image = openNifti(path, false);
  return geometryOf(*image, path);
}

void writeNiftiImage(const std::filesystem::path& path, const ImageVolume& image)
{
  writeVolume(path, image, DT_FLOAT32);
}

void writeNiftiLabels(const std::filesystem::path& path, const LabelVolume& labels)
{
  writeVolume(path, labels, DT_UINT16);
}
} // namespace iris::dicom
