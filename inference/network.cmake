# The Iris network, checkpoints, parity: target_sources(iris_inference PRIVATE ...)
# Torch-heavy translation units are kept few: layers, stages, root network, model API.
target_sources(iris_inference PRIVATE
  IrisConfig.cpp
  TaskEmbedding.cpp
  IrisModel.cpp
  IrisNetwork.cpp
  modules/IrisLayers.cpp
  modules/IrisStages.cpp
  CheckpointPickle.cpp
  Checkpoint.cpp
  Parity.cpp
)
target_link_libraries(iris_inference PUBLIC nlohmann_json::nlohmann_json)
target_link_libraries(iris_inference PRIVATE ${CMAKE_DL_LIBS})
