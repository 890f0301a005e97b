# Training and evaluation: a torch-free suite that runs iris train / iris eval in-process on a
# few shared hippocampus cases with a tiny network, and one torch TU for the generator,
# augmentation and loss.
iris_add_test_suite(iris_training_tests
  SOURCES training/TrainingRunTest.cpp training/TrainingDataTest.cpp
          training/SurfaceDiceTest.cpp
  LIBRARIES iris_inference iris_dicom iris_cli
  LABELS unit)
target_compile_options(iris_training_tests PRIVATE ${TORCH_CXX_FLAGS})
target_link_libraries(iris_training_tests PRIVATE ${TORCH_LIBRARIES})
