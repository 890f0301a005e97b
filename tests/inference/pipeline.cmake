# Pre/post-processing, sliding window and strategy suites (iris_add_test_suite)
iris_add_test_suite(iris_pipeline_tests
  SOURCES PipelineGeometryTest.cpp
  LIBRARIES iris_inference iris_dicom
  LABELS unit)
target_compile_options(iris_pipeline_tests PRIVATE ${TORCH_CXX_FLAGS})
target_link_libraries(iris_pipeline_tests PRIVATE ${TORCH_LIBRARIES})
