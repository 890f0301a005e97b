# Series to volume and NIfTI (no torch).
target_sources(iris_dicom PRIVATE
  Nifti.cpp
)
