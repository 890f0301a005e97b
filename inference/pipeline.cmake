# Pre/post-processing, sliding window, strategies: target_sources(iris_inference PRIVATE ...)
target_sources(iris_inference PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/Orient.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Resample.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Intensity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Crop.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Postprocess.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Preprocess.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SlidingWindow.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Strategies.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Segmenter.cpp
)
