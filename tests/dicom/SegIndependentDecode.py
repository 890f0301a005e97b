"""Independent decoder for the SEG tests: pydicom's own unpacking, never Iris code.

usage: SegIndependentDecode.py seg.dcm slices.txt out.raw
slices.txt has one line per source slice in stack order: "SOPInstanceUID frame x y z" (frame is
the 1-based frame of a multi-frame source, else 0; x y z the slice position in mm). Frames are placed through SourceImageSequence, or by the nearest slice position
when a frame has no source reference. out.raw receives uint16 little-endian voxels (slice, row,
column); where segments overlap the highest segment number wins. Prints "segment voxels" lines.
"""
import sys

import numpy as np
import pydicom


def main(seg_path, slices_path, out_path):
    ds = pydicom.dcmread(seg_path)
    uids, positions = [], []
    for line in open(slices_path):
        if line.strip():
            uid, frame, x, y, z = line.split()
            uids.append((uid, int(frame)))
            positions.append([float(x), float(y), float(z)])
    positions = np.array(positions)
    slice_of = {uid: k for k, uid in enumerate(uids)}
    frames = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
    if ds.SegmentationType == "FRACTIONAL":
        frames = frames >= max(1.0, 0.5 * int(ds.MaximumFractionalValue))
    labels = np.zeros((len(uids), ds.Rows, ds.Columns), dtype="<u2")
    masks = {}
    for index, group in enumerate(ds.PerFrameFunctionalGroupsSequence):
        segment = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        derivation = group.get("DerivationImageSequence")
        if derivation and "SourceImageSequence" in derivation[0]:
            source = derivation[0].SourceImageSequence[0]
            frame = int(source.get("ReferencedFrameNumber", 0))
            k = slice_of[(source.ReferencedSOPInstanceUID, frame)]
        else:
            ipp = np.array([float(v) for v in group.PlanePositionSequence[0].ImagePositionPatient])
            distances = np.linalg.norm(positions - ipp, axis=1)
            k = int(np.argmin(distances))
            assert distances[k] < 0.1, f"frame {index + 1} is {distances[k]} mm off every slice"
        on = frames[index] != 0
        labels[k][on] = np.maximum(labels[k][on], segment)
        mask = masks.setdefault(segment, np.zeros(labels.shape, dtype=bool))
        mask[k] |= on
    labels.tofile(out_path)
    for segment in sorted(masks):
        print(segment, int(masks[segment].sum()))


if __name__ == "__main__":
    main(*sys.argv[1:4])
