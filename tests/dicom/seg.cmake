# DICOM-SEG writer/reader suites (iris_add_test_suite)
