# Series-to-volume, fixture and NIfTI suites (iris_add_test_suite)
