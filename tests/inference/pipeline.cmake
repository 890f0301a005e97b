# Pre/post-processing, sliding window and strategy suites (iris_add_test_suite). Two torch TUs:
# geometry on real volumes (network bypassed), and strategies/facade/CLI with a tiny network.
iris_add_test_suite(iris_pipeline_tests
  SOURCES PipelineGeometryTest.cpp PipelineStrategyTest.cpp
  LIBRARIES iris_inference iris_dicom iris_cli
  LABELS unit)
target_compile_options(iris_pipeline_tests PRIVATE ${TORCH_CXX_FLAGS})
target_link_libraries(iris_pipeline_tests PRIVATE ${TORCH_LIBRARIES})

# The shipped model follows its reference (torch-free: the Segmenter facade only).
iris_add_test_suite(iris_default_model_tests
  SOURCES DefaultModelTest.cpp
  LIBRARIES iris_inference iris_dicom
  LABELS unit)
target_link_libraries(iris_default_model_tests PRIVATE ${TORCH_LIBRARIES})
target_compile_definitions(iris_default_model_tests PRIVATE
  IRIS_MODELS_DIR="${PROJECT_SOURCE_DIR}/models")
