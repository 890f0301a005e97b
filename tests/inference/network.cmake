# Network, checkpoint and parity suites (iris_add_test_suite)
iris_add_test_suite(iris_network_tests
  SOURCES network/NetworkTest.cpp network/CheckpointTest.cpp
  LIBRARIES iris_inference ${TORCH_LIBRARIES}
  LABELS unit)
target_compile_options(iris_network_tests PRIVATE ${TORCH_CXX_FLAGS})
target_compile_definitions(iris_network_tests PRIVATE IRIS_CLI_PATH="$<TARGET_FILE:iris>")
add_dependencies(iris_network_tests iris)
