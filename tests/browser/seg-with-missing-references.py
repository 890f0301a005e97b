"""Writes what another tool's DICOM-SEG that references missing instances looks like: a copy of
a SEG whose every reference to a source image (ReferencedSeriesSequence, and each frame's
DerivationImageSequence / SourceImageSequence) names an instance that does not exist, with new
SOP Instance and Series UIDs and its own labels. With --series, the referenced series is missing
too.
    /usr/bin/python3 seg-with-missing-references.py [--series] <seg.dcm> <out.dcm> <description>
"""
import sys

import pydicom
from pydicom.uid import generate_uid


def replace_references(dataset, missing):
    for element in dataset.iterall():
        if element.keyword == "ReferencedSOPInstanceUID":
            element.value = missing.setdefault(element.value, generate_uid())


def main(source, target, description, missing_series):
    seg = pydicom.dcmread(source)
    missing = {}
    replace_references(seg, missing)
    if missing_series:
        for series in seg.ReferencedSeriesSequence:
            series.SeriesInstanceUID = generate_uid()
    seg.SOPInstanceUID = generate_uid()
    seg.file_meta.MediaStorageSOPInstanceUID = seg.SOPInstanceUID
    seg.SeriesInstanceUID = generate_uid()
    seg.SeriesNumber = 9903 if missing_series else 9902
    seg.SeriesDescription = description
    seg.Manufacturer = "Another tool"
    for segment in seg.SegmentSequence:
        segment.SegmentLabel = "Orphan " + segment.SegmentLabel
    seg.save_as(target)
    print(f"{len(missing)} referenced instance(s) replaced by missing ones")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    series_missing = arguments[:1] == ["--series"]
    if series_missing:
        arguments = arguments[1:]
    if len(arguments) != 3:
        sys.exit(__doc__)
    main(*arguments, series_missing)
