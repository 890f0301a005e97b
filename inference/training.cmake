# Training and evaluation (iris train / iris eval): target_sources(iris_inference PRIVATE ...)
target_sources(iris_inference PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/training/Manifest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/TrainingOptions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/TrainingLoss.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/Augment.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/SyntheticTasks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/TrainingData.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/TrainingMemoryBank.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/Trainer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/Evaluation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training/SurfaceDice.cpp
)
