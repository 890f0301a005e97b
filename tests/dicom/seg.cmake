# DICOM-SEG writer/reader suites (iris_add_test_suite)
iris_add_test_suite(iris_dicom_seg_tests
  SOURCES SegTestSupport.cpp SegWriterTest.cpp SegReaderTest.cpp SegBadInputTest.cpp
  LIBRARIES iris_dicom
  LABELS unit)
