# DICOM-SEG writer and reader: target_sources(iris_dicom PRIVATE ...)
