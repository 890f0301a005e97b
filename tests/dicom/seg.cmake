# DICOM-SEG writer/reader suites (iris_add_test_suite)
iris_add_test_suite(iris_dicom_seg_tests
  SOURCES SegTestSupport.cpp SegWriterTest.cpp SegReaderTest.cpp SegBadInputTest.cpp
          SegBitPackingTest.cpp SegLabelAlignmentTest.cpp
  LIBRARIES iris_dicom
  LABELS unit)

# nifti2seg / seg2nifti, run in-process through the command registry.
iris_add_test_suite(iris_seg_cli_tests
  SOURCES SegTestSupport.cpp SegCommandsTest.cpp
  LIBRARIES iris_cli iris_dicom
  LABELS unit)

# A real Orthanc stores what the writer produces (the plugin POSTs these bytes).
iris_add_test_suite(iris_seg_orthanc_tests
  SOURCES SegTestSupport.cpp SegOrthancTest.cpp
  LIBRARIES iris_dicom
  LABELS integration)
