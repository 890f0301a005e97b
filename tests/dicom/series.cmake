# Series-to-volume, fixture and NIfTI suites.
iris_add_test_suite(iris_dicom_nifti_tests
  SOURCES NiftiTest.cpp
  LIBRARIES iris_dicom
  LABELS unit)

iris_add_test_suite(iris_dicom_series_tests
  SOURCES SeriesFixtureTest.cpp VolumeComparison.cpp
  LIBRARIES iris_dicom
  LABELS unit)
