"""Prints, as JSON, where each segment of a binary DICOM-SEG lies: {segment label: [[referenced
SOP Instance UID, pixel index in the frame (row * Columns + column)], ...]}. The browser test
compares this, read independently with pydicom, with the label map OHIF builds.
    /usr/bin/python3 seg-voxels.py <seg.dcm>
"""
import json
import sys

import pydicom


def main(path):
    seg = pydicom.dcmread(path)
    frames = seg.pixel_array.reshape(int(seg.NumberOfFrames), -1)
    labels = {int(item.SegmentNumber): str(item.SegmentLabel) for item in seg.SegmentSequence}
    voxels = {label: [] for label in labels.values()}
    for frame, group in zip(frames, seg.PerFrameFunctionalGroupsSequence):
        source = group.DerivationImageSequence[0].SourceImageSequence[0]
        label = labels[int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)]
        voxels[label].extend([str(source.ReferencedSOPInstanceUID), int(index)]
                             for index in frame.nonzero()[0])
    json.dump(voxels, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
