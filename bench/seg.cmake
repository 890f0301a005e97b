# DICOM-SEG writing benchmark: `iris_bench_seg_write [runs]` prints JSON, then a Markdown table.
add_executable(iris_bench_seg_write SegWriteBench.cpp)
iris_target_defaults(iris_bench_seg_write)
target_link_libraries(iris_bench_seg_write PRIVATE iris_dicom)
