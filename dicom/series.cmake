# Series to volume and NIfTI (no torch).
target_sources(iris_dicom PRIVATE
  DicomError.cpp
  DicomInput.cpp
  DicomPixels.cpp
  Nifti.cpp
  SeriesWriter.cpp
  SeriesGeometry.cpp
  SeriesReader.cpp
  SeriesSlices.cpp
)
target_link_libraries(iris_dicom PUBLIC Threads::Threads) # parallel slice decoding
