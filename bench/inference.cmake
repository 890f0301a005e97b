# Network forward/decode benchmarks
add_executable(iris_network_bench NetworkBench.cpp)
iris_target_defaults(iris_network_bench)
target_link_libraries(iris_network_bench PRIVATE iris_inference ${TORCH_LIBRARIES} ${CMAKE_DL_LIBS})
target_compile_options(iris_network_bench PRIVATE ${TORCH_CXX_FLAGS})
