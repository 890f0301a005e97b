# DICOM-SEG writer and reader: target_sources(iris_dicom PRIVATE ...)
target_sources(iris_dicom PRIVATE
  SegBitPacking.cpp
  SegDicomIo.cpp
  SegFrameLocator.cpp
  SegFunctionalGroups.cpp
  SegLabelAlignment.cpp
  SegReader.cpp
  SegReaderSegments.cpp
  SegSource.cpp
  SegTerminology.cpp
  SegWriter.cpp
  SegWriterInput.cpp
)
