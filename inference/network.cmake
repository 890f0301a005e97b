# The Iris network, checkpoints, parity: target_sources(iris_inference PRIVATE ...)
