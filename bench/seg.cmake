# DICOM-SEG writing benchmark
