"""Independent decoder for the SEG tests: pydicom's own bit unpacking, frames placed on the
source stack through SourceImageSequence (never through Iris code).

usage: SegIndependentDecode.py seg.dcm slice_uids.txt out.raw
slice_uids.txt lists the source SOP Instance UIDs in stack order; out.raw receives uint16
little-endian voxels (slice, row, column), each voxel the number of the last segment covering it.
"""
import sys

import numpy as np
import pydicom


def main(seg_path, uids_path, out_path):
    ds = pydicom.dcmread(seg_path)
    uids = [line.strip() for line in open(uids_path) if line.strip()]
    slice_of = {uid: k for k, uid in enumerate(uids)}
    frames = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
    labels = np.zeros((len(uids), ds.Rows, ds.Columns), dtype="<u2")
    for index, group in enumerate(ds.PerFrameFunctionalGroupsSequence):
        segment = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        source = group.DerivationImageSequence[0].SourceImageSequence[0]
        k = slice_of[source.ReferencedSOPInstanceUID]
        labels[k][frames[index] != 0] = segment
    labels.tofile(out_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
