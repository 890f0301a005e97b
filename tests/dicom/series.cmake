# Series-to-volume, fixture and NIfTI suites.
iris_add_test_suite(iris_dicom_nifti_tests
  SOURCES NiftiTest.cpp
  LIBRARIES iris_dicom
  LABELS unit)

iris_add_test_suite(iris_dicom_series_tests
  SOURCES SeriesFixtureTest.cpp VolumeComparison.cpp
  LIBRARIES iris_dicom
  LABELS unit)

iris_add_test_suite(iris_dicom_series_bad_input_tests
  SOURCES SeriesBadInputTest.cpp
  LIBRARIES iris_dicom
  LABELS unit)

# Round trips through the writer and the `iris` CLI (dicom2nifti, nifti2dicom), checked by dciodvfy.
iris_add_test_suite(iris_dicom_series_conversion_tests
  SOURCES SeriesConversionTest.cpp VolumeComparison.cpp
  LIBRARIES iris_dicom
  LABELS unit)
target_compile_definitions(iris_dicom_series_conversion_tests PRIVATE IRIS_CLI_PATH="$<TARGET_FILE:iris>")
add_dependencies(iris_dicom_series_conversion_tests iris)

iris_add_test_suite(iris_dicom_series_pixel_tests
  SOURCES SeriesPixelTest.cpp
  LIBRARIES iris_dicom
  LABELS unit)
