# The pipeline against a real Orthanc: `iris_bench_pipeline [--runs N] [--batch N] [--skip-ct]`.
add_executable(iris_bench_pipeline PipelineBench.cpp)
iris_target_defaults(iris_bench_pipeline)
target_link_libraries(iris_bench_pipeline PRIVATE iris_dicom iris_storage iris_test_support)
target_compile_definitions(iris_bench_pipeline PRIVATE IRIS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
