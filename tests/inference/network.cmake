# Network, checkpoint and parity suites (iris_add_test_suite)
