#pragma once

#include "dicom/SegSource.h"
#include "dicom/SeriesVolume.h"

#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <memory>

namespace iris::dicom
{
// Shared functional groups (pixel measures, plane orientation with the source's IOP text) and the
// two dimension indices (segment number, image position) sharing one new organization UID.
void addSharedGroups(DcmSegmentation& seg, const VolumeGeometry& grid,
                     const SegSourceAttributes& attributes);

// Per-slice functional groups, made once and shared by every segment's frame of that slice.
struct SliceGroups
{
  std::unique_ptr<FGPlanePosPatient> position;
  std::unique_ptr<FGDerivationImage> derivation;
};

// Plane position (the source's IPP text, or computed) and derivation (SourceImageSequence,
// with ReferencedFrameNumber for multi-frame sources) of source slice k.
SliceGroups makeSliceGroups(size_t k, const SeriesVolume& source,
                            const SegSourceAttributes& attributes);
} // namespace iris::dicom
