# Series to volume and NIfTI: target_sources(iris_dicom PRIVATE ...)
