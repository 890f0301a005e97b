# Pictures and overlap measures for people reviewing results (no torch): PNG, montage, Dice.
target_sources(iris_dicom PRIVATE
  Png.cpp
  Montage.cpp
  LabelOverlap.cpp
)
find_package(ZLIB REQUIRED)
target_link_libraries(iris_dicom PUBLIC ZLIB::ZLIB)
