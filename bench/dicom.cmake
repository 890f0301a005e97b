# Series assembly benchmark: `iris_bench_series_assembly [runs]` prints JSON, then a Markdown table.
add_executable(iris_bench_series_assembly SeriesAssemblyBench.cpp)
iris_target_defaults(iris_bench_series_assembly)
target_link_libraries(iris_bench_series_assembly PRIVATE iris_dicom)
