# Pre/post-processing, sliding window and strategy suites (iris_add_test_suite)
